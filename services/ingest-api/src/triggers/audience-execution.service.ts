import type { ValidateFunction } from 'ajv';
import type { Campaign, CampaignVersion, FanOutJobData } from '@herald/contracts';
import { fanOutJobId, newId } from '@herald/contracts';
import { NotFoundError, UnprocessableError, ValidationError, type FieldError } from '@herald/errors';
import type { Logger } from '@herald/logger';
import type { FanOutQueue } from '@herald/queues';
import type { CampaignVersions, Store } from '@herald/store';
import { correlationLogFields, type Correlation } from '../http/correlation';
import type { IncomingTrigger } from './trigger-call';
import type { ExecutionClaim } from './enqueue-recipients';
import { acceptedAnswer, type ExecutionAccepted } from './execution-accepted';
import { campaignHidden } from '../auth/campaign-access';
import { liveCampaign } from './live-campaign';
import { queueUnavailable } from './queue-unavailable';
import { createAjv, toFieldErrors } from '../validation/ajv';
import { audienceExecutionSchema, type AudienceExecutionRequest } from './audience-execution.schema';
import type { ContextValidators } from './context-validators';
import {
  scheduleAudience,
  toExecutionView,
  toScheduleView,
  type AudienceExecutionView,
  type ScheduleView,
} from './audience-execution.views';
import type { IdempotencyGuard } from './idempotency';

export interface AudienceExecutionDeps {
  store: Store;
  /** Live campaign versions, cached: they never change. */
  versions: CampaignVersions;
  fanOutQueue: FanOutQueue;
  contextValidators: ContextValidators;
  /** Shared with the other trigger endpoints: one requestId space per sandbox. */
  idempotency: IdempotencyGuard;
  logger: Logger;
  /** API_MAX_CONTEXT_BYTES, as for each recipient of a unitary call. */
  maxContextBytes: number;
}

/**
 * `POST /im/executions/audience` and its status and schedule reads. The API only records the
 * execution (or schedule) and queues one fan-out job; the worker streams the audience.
 */
export class AudienceExecutionService {
  private readonly validateRequest: ValidateFunction<AudienceExecutionRequest>;

  constructor(private readonly deps: AudienceExecutionDeps) {
    this.validateRequest = createAjv().compile<AudienceExecutionRequest>(audienceExecutionSchema);
  }

  async execute(call: IncomingTrigger, now = new Date()): Promise<ExecutionAccepted | ScheduleView> {
    const { sandbox, body, fingerprint, createdBy, held, correlation, xRequestId } = call;
    if (!this.validateRequest(body)) {
      throw new ValidationError(
        'invalid-request',
        'The request body is invalid.',
        toFieldErrors(this.validateRequest.errors),
      );
    }
    const { campaign, version } = await this.liveMarketingCampaign(sandbox, body.campaignId, held, now);
    const audienceId = body.audience?.id ?? version.definition.audience?.id;
    if (audienceId === undefined) {
      throw new ValidationError('audience-required', 'The campaign has no audience; give audience.id.', [
        { path: '/audience/id', code: 'required', message: 'no audience in the call or the campaign' },
      ]);
    }
    if (!(await this.deps.store.audiences.get(sandbox, audienceId))) {
      throw new NotFoundError('audience-not-found', `audience ${audienceId} does not exist`);
    }
    this.checkContext(version, body.context);
    const { idempotency, logger } = this.deps;
    // Without a requestId or x-request-id every call is a new send, as in AJO; with one, a retry
    // never sends twice.
    const claim = await idempotency.begin({
      sandbox,
      fingerprint,
      requestId: body.requestId,
      ...(xRequestId !== undefined
        ? {
            xRequestId: {
              value: xRequestId,
              caller: createdBy,
              operation: 'audience',
              campaignId: body.campaignId,
            },
          }
        : {}),
    });
    if (claim.kind === 'replay') return claim.response as ExecutionAccepted | ScheduleView;
    const executeAt = body.schedule ? new Date(body.schedule.executeAt) : undefined;
    const answer =
      executeAt && executeAt.getTime() > now.getTime()
        ? await this.schedule(sandbox, body, version, audienceId, executeAt, now, claim, correlation)
        : await this.startNow(sandbox, body, campaign, version, audienceId, createdBy, claim, correlation);
    // The fan-out job is queued: if a key stays in progress, a retry resumes onto the same job.
    await idempotency
      .complete(claim, sandbox, answer)
      .catch((error: unknown) => logger.error({ err: error }, 'cannot mark requestId completed'));
    return answer;
  }

  /** `held`: the caller's campaign access labels; an execution of a campaign it cannot see is not found. */
  async getExecution(
    sandbox: string,
    executionId: string,
    held: readonly string[],
  ): Promise<AudienceExecutionView> {
    const execution = await this.deps.store.executions.get(sandbox, executionId);
    if (
      !execution ||
      execution.kind !== 'audience' ||
      execution.audienceId === undefined ||
      (await campaignHidden(this.deps.store, sandbox, execution.campaignId, held))
    ) {
      throw new NotFoundError('execution-not-found', `audience execution ${executionId} does not exist`);
    }
    return toExecutionView(execution, execution.audienceId);
  }

  async getSchedule(sandbox: string, scheduleId: string, held: readonly string[]): Promise<ScheduleView> {
    const schedule = await this.deps.store.schedules.get(sandbox, scheduleId);
    if (
      !schedule ||
      schedule.status === 'Cancelled' ||
      (await campaignHidden(this.deps.store, sandbox, schedule.campaignId, held))
    ) {
      throw scheduleNotFound(scheduleId);
    }
    if (schedule.status === 'Scheduled' || schedule.executionId === undefined) {
      return toScheduleView(schedule, 'Scheduled');
    }
    const execution = await this.deps.store.executions.get(sandbox, schedule.executionId);
    return {
      ...toScheduleView(schedule, 'Triggered'),
      ...(execution ? { executionDetails: toExecutionView(execution, scheduleAudience(schedule)) } : {}),
    };
  }

  /** Cancels a schedule that has not fired; the fan-out job also refuses to run a cancelled one. */
  async cancelSchedule(sandbox: string, scheduleId: string, held: readonly string[]): Promise<void> {
    const schedule = await this.deps.store.schedules.get(sandbox, scheduleId);
    if (schedule && (await campaignHidden(this.deps.store, sandbox, schedule.campaignId, held))) {
      throw scheduleNotFound(scheduleId);
    }
    const cancelled = await this.deps.store.schedules.settle(sandbox, scheduleId, 'Cancelled');
    if (!cancelled) throw scheduleNotFound(scheduleId);
    try {
      await this.deps.fanOutQueue.remove(fanOutJobId({ scheduleId }));
    } catch (error) {
      // The schedule is cancelled in the store, which the fan-out checks first: it cannot fire.
      this.deps.logger.warn(
        { err: error, scheduleId },
        'cannot remove the delayed job of a cancelled schedule',
      );
    }
  }

  private async liveMarketingCampaign(
    sandbox: string,
    campaignId: string,
    held: readonly string[],
    now: Date,
  ): Promise<{ campaign: Campaign; version: CampaignVersion }> {
    const { campaign, version } = await liveCampaign(
      this.deps.store,
      this.deps.versions,
      sandbox,
      campaignId,
      held,
      now,
    );
    // Transactional messages answer one person's action; sending one to a whole audience is a
    // marketing send, and would skip consent, frequency caps and quiet hours.
    if (version.definition.type !== 'marketing') {
      throw new UnprocessableError(
        'wrong-endpoint-for-campaign',
        `campaign ${campaignId} is transactional: trigger it with /im/executions/unitary`,
      );
    }
    return { campaign, version };
  }

  private checkContext(version: CampaignVersion, context: Record<string, unknown> | undefined): void {
    const size = Buffer.byteLength(JSON.stringify(context ?? {}));
    if (size > this.deps.maxContextBytes) {
      throw new ValidationError('invalid-context', 'The context is too large.', [
        {
          path: '/context',
          code: 'context-too-large',
          message: `context is ${size} bytes; at most ${this.deps.maxContextBytes} are allowed`,
        },
      ]);
    }
    const validate = this.deps.contextValidators.for(version);
    if (validate(context ?? {})) return;
    const problems: FieldError[] = toFieldErrors(validate.errors, '/context');
    throw new ValidationError(
      'invalid-context',
      "The context does not match the campaign's contextSchema.",
      problems,
    );
  }

  private async startNow(
    sandbox: string,
    body: AudienceExecutionRequest,
    campaign: Campaign,
    version: CampaignVersion,
    audienceId: string,
    createdBy: string,
    claim: ExecutionClaim,
    correlation: Correlation | undefined,
  ): Promise<ExecutionAccepted> {
    const { store, logger } = this.deps;
    const requestId = body.requestId ?? claim.executionId;
    const resumed = claim.kind === 'resume' ? await store.executions.get(sandbox, claim.executionId) : null;
    const execution =
      resumed ??
      (await store.executions.create({
        id: claim.executionId,
        sandbox,
        kind: 'audience',
        campaignId: campaign.id,
        campaignVersion: version.version,
        requestId,
        recipientCount: 0,
        createdBy,
        audienceId,
        ...(body.context === undefined ? {} : { context: body.context }),
      }));
    const data: FanOutJobData = {
      executionId: execution.id,
      sandbox,
      campaignId: campaign.id,
      campaignVersion: version.version,
      audienceId,
      ...(body.context ? { context: body.context } : {}),
      ...(correlation ? { xRequestId: correlation.requestId } : {}),
    };
    try {
      await this.deps.fanOutQueue.add('fan-out', data, { jobId: fanOutJobId({ executionId: execution.id }) });
    } catch (error) {
      await store.executions
        .setStatus(sandbox, execution.id, 'failed', 'queue unavailable')
        .catch((storeError: unknown) => logger.error({ err: storeError }, 'cannot mark execution failed'));
      throw queueUnavailable(error);
    }
    logger.info(
      {
        executionId: execution.id,
        requestId,
        campaignId: campaign.id,
        audienceId,
        ...correlationLogFields(correlation),
      },
      'audience execution queued',
    );
    return acceptedAnswer(execution);
  }

  private async schedule(
    sandbox: string,
    body: AudienceExecutionRequest,
    version: CampaignVersion,
    audienceId: string,
    executeAt: Date,
    now: Date,
    claim: ExecutionClaim,
    correlation: Correlation | undefined,
  ): Promise<ScheduleView> {
    const { store, logger } = this.deps;
    const resumed = claim.kind === 'resume' ? await store.schedules.get(sandbox, claim.executionId) : null;
    const schedule =
      resumed ??
      (await store.schedules.create({
        id: claim.executionId,
        sandbox,
        campaignId: body.campaignId,
        audienceId,
        executeAt: executeAt.toISOString(),
        ...(body.context ? { context: body.context } : {}),
      }));
    const data: FanOutJobData = {
      // Chosen now so a fan-out retried after a crash keeps writing the same execution.
      executionId: newId(),
      sandbox,
      campaignId: body.campaignId,
      campaignVersion: version.version,
      audienceId,
      scheduleId: schedule.id,
      ...(body.context ? { context: body.context } : {}),
      ...(correlation ? { xRequestId: correlation.requestId } : {}),
    };
    try {
      await this.deps.fanOutQueue.add('fan-out', data, {
        jobId: fanOutJobId({ scheduleId: schedule.id }),
        delay: executeAt.getTime() - now.getTime(),
      });
    } catch (error) {
      await store.schedules
        .settle(sandbox, schedule.id, 'Cancelled')
        .catch((storeError: unknown) => logger.error({ err: storeError }, 'cannot cancel unqueued schedule'));
      throw queueUnavailable(error);
    }
    logger.info(
      {
        scheduleId: schedule.id,
        campaignId: body.campaignId,
        audienceId,
        ...correlationLogFields(correlation),
      },
      'audience execution scheduled',
    );
    return toScheduleView(schedule, 'Scheduled');
  }
}

function scheduleNotFound(scheduleId: string): NotFoundError {
  return new NotFoundError(
    'schedule-not-found',
    `schedule ${scheduleId} does not exist or is no longer scheduled`,
  );
}
