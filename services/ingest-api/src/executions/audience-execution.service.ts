import type { ValidateFunction } from 'ajv';
import type { Campaign, CampaignVersion, Execution, ExecutionStatus, FanOutJobData } from '@herald/contracts';
import { fanOutJobId, newId } from '@herald/contracts';
import {
  NotFoundError,
  ServiceUnavailableError,
  UnprocessableError,
  ValidationError,
  type FieldError,
} from '@herald/errors';
import type { Logger } from '@herald/logger';
import type { CampaignVersions, Schedule, Store } from '@herald/store';
import { liveCampaign } from './live-campaign';
import { createAjv, toFieldErrors } from '../validation/ajv';
import { audienceExecutionSchema, type AudienceExecutionRequest } from './audience-execution.schema';
import type { ContextValidators } from './context-validators';
import type { FanOutQueue } from './fan-out-queue';

export type AudienceExecutionStatus = 'InProgress' | 'Succeeded' | 'Failed';

/** The store's statuses read as the fan-out's: `queued` means every profile's job is queued. */
const AJO_STATUS: Record<ExecutionStatus, AudienceExecutionStatus> = {
  accepted: 'InProgress',
  queued: 'Succeeded',
  failed: 'Failed',
};

export interface AudienceExecutionAccepted {
  executionId: string;
  requestId: string;
  createdAt: string;
  createdBy: string;
  modifiedAt: string;
  modifiedBy: string;
}

export interface AudienceExecutionView {
  executionId: string;
  campaignId: string;
  audienceId: string;
  status: AudienceExecutionStatus;
  targetedProfileCount: number;
  createdAt: string;
}

export interface ScheduleView {
  scheduleId: string;
  campaignId: string;
  audience: { id: string };
  executeAt: string;
  scheduleStatus: 'Scheduled' | 'Triggered';
  executionDetails?: AudienceExecutionView;
}

export interface AudienceExecutionDeps {
  store: Store;
  /** Live campaign versions, cached: they never change. */
  versions: CampaignVersions;
  fanOutQueue: FanOutQueue;
  contextValidators: ContextValidators;
  logger: Logger;
}

/** Seconds a caller should wait before retrying while Redis refuses the fan-out job. */
const RETRY_AFTER_SECONDS = 2;

/**
 * `POST /im/executions/audience` and its status and schedule reads. The API only records the
 * execution (or schedule) and queues one fan-out job; the worker streams the audience.
 */
export class AudienceExecutionService {
  private readonly validateRequest: ValidateFunction<AudienceExecutionRequest>;

  constructor(private readonly deps: AudienceExecutionDeps) {
    this.validateRequest = createAjv().compile<AudienceExecutionRequest>(audienceExecutionSchema);
  }

  /** `createdBy` names the caller (its API key id) in the execution record and the answer. */
  async execute(
    sandbox: string,
    body: unknown,
    createdBy: string,
    now = new Date(),
  ): Promise<AudienceExecutionAccepted | ScheduleView> {
    if (!this.validateRequest(body)) {
      throw new ValidationError(
        'invalid-request',
        'The request body is invalid.',
        toFieldErrors(this.validateRequest.errors),
      );
    }
    const { campaign, version } = await this.liveMarketingCampaign(sandbox, body.campaignId, now);
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
    const executeAt = body.schedule ? new Date(body.schedule.executeAt) : undefined;
    if (executeAt && executeAt.getTime() > now.getTime()) {
      return this.schedule(sandbox, body, version, audienceId, executeAt, now);
    }
    return this.startNow(sandbox, body, campaign, version, audienceId, createdBy);
  }

  async getExecution(sandbox: string, executionId: string): Promise<AudienceExecutionView> {
    const execution = await this.deps.store.executions.get(sandbox, executionId);
    if (!execution || execution.kind !== 'audience' || execution.audienceId === undefined) {
      throw new NotFoundError('execution-not-found', `audience execution ${executionId} does not exist`);
    }
    return toExecutionView(execution, execution.audienceId);
  }

  async getSchedule(sandbox: string, scheduleId: string): Promise<ScheduleView> {
    const schedule = await this.deps.store.schedules.get(sandbox, scheduleId);
    if (!schedule || schedule.status === 'Cancelled') throw scheduleNotFound(scheduleId);
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
  async cancelSchedule(sandbox: string, scheduleId: string): Promise<void> {
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
    now: Date,
  ): Promise<{ campaign: Campaign; version: CampaignVersion }> {
    const { campaign, version } = await liveCampaign(
      this.deps.store,
      this.deps.versions,
      sandbox,
      campaignId,
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
  ): Promise<AudienceExecutionAccepted> {
    const { store, logger } = this.deps;
    const requestId = body.requestId ?? newId();
    const execution = await store.executions.create({
      id: newId(),
      sandbox,
      kind: 'audience',
      campaignId: campaign.id,
      campaignVersion: version.version,
      requestId,
      recipientCount: 0,
      createdBy,
      audienceId,
    });
    const data: FanOutJobData = {
      executionId: execution.id,
      sandbox,
      campaignId: campaign.id,
      campaignVersion: version.version,
      audienceId,
      ...(body.context ? { context: body.context } : {}),
    };
    try {
      await this.deps.fanOutQueue.add('fan-out', data, { jobId: fanOutJobId({ executionId: execution.id }) });
    } catch (error) {
      await store.executions
        .setStatus(sandbox, execution.id, 'failed', 'queue unavailable')
        .catch((storeError: unknown) => logger.error({ err: storeError }, 'cannot mark execution failed'));
      throw unavailable(error);
    }
    logger.info(
      { executionId: execution.id, requestId, campaignId: campaign.id, audienceId },
      'audience execution queued',
    );
    return {
      executionId: execution.id,
      requestId,
      createdAt: execution.createdAt,
      createdBy,
      modifiedAt: execution.createdAt,
      modifiedBy: createdBy,
    };
  }

  private async schedule(
    sandbox: string,
    body: AudienceExecutionRequest,
    version: CampaignVersion,
    audienceId: string,
    executeAt: Date,
    now: Date,
  ): Promise<ScheduleView> {
    const { store, logger } = this.deps;
    const schedule = await store.schedules.create({
      sandbox,
      campaignId: body.campaignId,
      audienceId,
      executeAt: executeAt.toISOString(),
      ...(body.context ? { context: body.context } : {}),
    });
    const data: FanOutJobData = {
      // Chosen now so a fan-out retried after a crash keeps writing the same execution.
      executionId: newId(),
      sandbox,
      campaignId: body.campaignId,
      campaignVersion: version.version,
      audienceId,
      scheduleId: schedule.id,
      ...(body.context ? { context: body.context } : {}),
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
      throw unavailable(error);
    }
    logger.info(
      { scheduleId: schedule.id, campaignId: body.campaignId, audienceId },
      'audience execution scheduled',
    );
    return toScheduleView(schedule, 'Scheduled');
  }
}

function toExecutionView(execution: Execution, audienceId: string): AudienceExecutionView {
  return {
    executionId: execution.id,
    campaignId: execution.campaignId,
    audienceId,
    status: AJO_STATUS[execution.status],
    targetedProfileCount: execution.targetedProfileCount ?? 0,
    createdAt: execution.createdAt,
  };
}

function toScheduleView(schedule: Schedule, scheduleStatus: ScheduleView['scheduleStatus']): ScheduleView {
  return {
    scheduleId: schedule.id,
    campaignId: schedule.campaignId,
    audience: { id: scheduleAudience(schedule) },
    executeAt: schedule.executeAt,
    scheduleStatus,
  };
}

/** Schedules of audience executions always name their audience; the store keeps it optional. */
function scheduleAudience(schedule: Schedule): string {
  return schedule.audienceId ?? '';
}

function scheduleNotFound(scheduleId: string): NotFoundError {
  return new NotFoundError(
    'schedule-not-found',
    `schedule ${scheduleId} does not exist or is no longer scheduled`,
  );
}

function unavailable(cause: unknown): ServiceUnavailableError {
  return new ServiceUnavailableError(
    'queue-unavailable',
    'The queue is unavailable; retry later.',
    RETRY_AFTER_SECONDS,
    {
      cause,
    },
  );
}
