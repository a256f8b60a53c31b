import type { ValidateFunction } from 'ajv';
import type {
  Campaign,
  CampaignVersion,
  Channel,
  DeliveryJobData,
  Execution,
  UnitaryExecutionRequest,
} from '@herald/contracts';
import { deliveryJobId, unitaryExecutionSchema } from '@herald/contracts';
import {
  ConflictError,
  NotFoundError,
  ServiceUnavailableError,
  UnprocessableError,
  ValidationError,
  type FieldError,
} from '@herald/errors';
import type { Logger } from '@herald/logger';
import type { DeliveryQueue } from '@herald/queues';
import type { Store } from '@herald/store';
import type { TemplateEngine } from '@herald/templating';
import { settleCampaign } from '../campaigns/settle-campaign';
import type { QueueBackpressure } from '../limits/queue-backpressure';
import { createAjv, toFieldErrors } from '../validation/ajv';
import type { ContextValidators } from './context-validators';
import { dryRunRecipients, type DryRunResult } from './dry-run';
import type { IdempotencyGuard } from './idempotency';
import { duplicateRecipientProblems, recipientProblems } from './recipient-checks';

export interface UnitaryExecutionLimits {
  maxRecipients: number;
  maxContextBytes: number;
}

/** The AJO answer to an accepted call. */
export interface ExecutionAccepted {
  executionId: string;
  requestId: string;
  createdAt: string;
  createdBy: string;
  modifiedAt: string;
  modifiedBy: string;
}

export interface UnitaryExecutionDeps {
  /** Refuses calls while the channel's queue is deeper than the configured bound. */
  backpressure: QueueBackpressure;
  store: Store;
  /** One delivery queue per channel: a job goes to the queue of its campaign's channel. */
  queues: Record<Channel, DeliveryQueue>;
  /** Accept push endpoints on loopback and private networks in `channelData.pushInfo`. */
  allowPrivatePushEndpoints: boolean;
  contextValidators: ContextValidators;
  limits: UnitaryExecutionLimits;
  idempotency: IdempotencyGuard;
  /** Renders dry-run messages exactly as the worker will. */
  templates: TemplateEngine;
  logger: Logger;
}

interface ValidatedCall {
  request: UnitaryExecutionRequest;
  campaign: Campaign;
  version: CampaignVersion;
}

/** Records written before executions named their caller. */
const ANONYMOUS = 'anonymous';

/**
 * `POST /im/executions/unitary`: validates the whole call, records the execution, queues one
 * job per recipient and answers only once Redis holds every job. All or nothing: one bad
 * recipient rejects the call and nothing is queued. `requestId` is an idempotency key: a repeated
 * call answers the first answer and never queues a recipient twice.
 */
export class UnitaryExecutionService {
  private readonly validateRequest: ValidateFunction<UnitaryExecutionRequest>;

  constructor(private readonly deps: UnitaryExecutionDeps) {
    this.validateRequest = createAjv().compile<UnitaryExecutionRequest>(
      unitaryExecutionSchema(deps.limits.maxRecipients),
    );
  }

  /** `createdBy` names the caller (its API key id) in the execution record and the answer. */
  async execute(sandbox: string, body: unknown, createdBy: string): Promise<ExecutionAccepted> {
    const { request, campaign, version } = await this.validated(sandbox, body);
    const { idempotency, logger } = this.deps;
    const outcome = await idempotency.begin(sandbox, request.requestId, body);
    // The guard holds only answers this method returned.
    if (outcome.kind === 'replay') return outcome.response as ExecutionAccepted;
    await this.deps.backpressure.assertQueueHasRoom(version.definition.channel);
    const execution = await this.executionRecord(sandbox, request, campaign, version, outcome, createdBy);
    const accepted = await this.enqueue(sandbox, request, version, execution);
    // Every job is queued: if the key stays in progress, a retry resumes onto the same jobs.
    await idempotency
      .complete(sandbox, request.requestId, accepted)
      .catch((error: unknown) => logger.error({ err: error }, 'cannot mark requestId completed'));
    return accepted;
  }

  /** What the call would send to each recipient; queues, creates and records nothing. */
  async dryRun(sandbox: string, body: unknown): Promise<DryRunResult> {
    const { request, version } = await this.validated(sandbox, body);
    return dryRunRecipients(this.deps, sandbox, version, request.recipients);
  }

  private async validated(sandbox: string, body: unknown): Promise<ValidatedCall> {
    const schemaProblems = this.validateRequest(body) ? [] : toFieldErrors(this.validateRequest.errors);
    const callProblems = schemaProblems.filter((problem) => problem.recipientIndex === undefined);
    if (callProblems.length > 0 || !isRequestShaped(body)) {
      throw new ValidationError('invalid-request', 'The request body is invalid.', schemaProblems);
    }
    const { campaign, version } = await this.liveCampaign(sandbox, body.campaignId);
    const malformed = new Set(schemaProblems.map((problem) => problem.recipientIndex));
    const duplicates = duplicateRecipientProblems(body.recipients, malformed);
    const problems = [
      ...schemaProblems,
      ...duplicates,
      ...this.recipientsProblems(body, version, malformed),
    ].sort((a, b) => (a.recipientIndex ?? 0) - (b.recipientIndex ?? 0));
    if (problems.length > 0 && problems.length === duplicates.length) {
      throw new ValidationError(
        'duplicate-recipient',
        'The same recipient appears more than once; nothing was queued.',
        problems,
      );
    }
    if (problems.length > 0) {
      throw new ValidationError(
        'invalid-recipients',
        'One or more recipients are invalid; nothing was queued.',
        problems,
      );
    }
    return { request: body, campaign, version };
  }

  private async liveCampaign(
    sandbox: string,
    campaignId: string,
  ): Promise<{ campaign: Campaign; version: CampaignVersion }> {
    const stored = await this.deps.store.campaigns.get(sandbox, campaignId);
    if (!stored) {
      throw new NotFoundError(
        'campaign-not-found',
        `campaign ${campaignId} does not exist in sandbox ${sandbox}`,
      );
    }
    const campaign = await settleCampaign(this.deps.store, stored, new Date());
    if (campaign.status === 'scheduled' || campaign.status === 'completed') {
      throw new ConflictError(
        'campaign-outside-schedule',
        `campaign ${campaignId} is ${campaign.status}: it accepts triggers only between its schedule start and end`,
      );
    }
    if (campaign.status !== 'live' || campaign.liveVersion === null) {
      throw new ConflictError('campaign-not-live', `campaign ${campaignId} is ${campaign.status}, not live`);
    }
    const version = await this.deps.store.campaigns.getVersion(sandbox, campaignId, campaign.liveVersion);
    if (!version) {
      throw new NotFoundError(
        'campaign-not-found',
        `campaign ${campaignId} has no version ${campaign.liveVersion}`,
      );
    }
    if (version.definition.type !== 'transactional') {
      throw new UnprocessableError(
        'wrong-endpoint-for-campaign',
        `campaign ${campaignId} is a ${version.definition.type} campaign: trigger it with POST /im/executions/audience; unitary calls are for transactional campaigns`,
      );
    }
    return { campaign, version };
  }

  /** Checks the recipients the request schema found well-formed (the others are already listed). */
  private recipientsProblems(
    body: UnitaryExecutionRequest,
    version: CampaignVersion,
    malformed: ReadonlySet<number | undefined>,
  ): FieldError[] {
    const validateContext = this.deps.contextValidators.for(version);
    return body.recipients.flatMap((recipient, index) =>
      malformed.has(index)
        ? []
        : recipientProblems(recipient, index, version.definition, validateContext, {
            maxContextBytes: this.deps.limits.maxContextBytes,
            allowPrivatePushEndpoints: this.deps.allowPrivatePushEndpoints,
          }),
    );
  }

  /**
   * A new call gets a new record; a resumed one reuses the record of its first attempt, which may
   * not exist (the first attempt crashed before writing it) or may be written at this very moment
   * by a concurrent duplicate.
   */
  private async executionRecord(
    sandbox: string,
    body: UnitaryExecutionRequest,
    campaign: Campaign,
    version: CampaignVersion,
    outcome: { kind: 'new' | 'resume'; executionId: string },
    createdBy: string,
  ): Promise<Execution> {
    const { store } = this.deps;
    if (outcome.kind === 'resume') {
      const existing = await store.executions.get(sandbox, outcome.executionId);
      if (existing) return existing;
    }
    const input = {
      id: outcome.executionId,
      sandbox,
      kind: 'unitary' as const,
      campaignId: campaign.id,
      campaignVersion: version.version,
      requestId: body.requestId,
      recipientCount: body.recipients.length,
      createdBy,
    };
    try {
      return await store.executions.create(input);
    } catch (error) {
      // A concurrent duplicate, resumed while this call ran, may have written it first.
      const existing = await store.executions.get(sandbox, input.id);
      if (existing) return existing;
      throw error;
    }
  }

  private async enqueue(
    sandbox: string,
    body: UnitaryExecutionRequest,
    version: CampaignVersion,
    execution: Execution,
  ): Promise<ExecutionAccepted> {
    const { store, logger } = this.deps;
    const queue = this.deps.queues[version.definition.channel];
    const queuedAt = new Date().toISOString();
    const jobs = body.recipients.map((recipient, index) => {
      const jobId = deliveryJobId(execution.id, index);
      const data: DeliveryJobData = {
        executionId: execution.id,
        deliveryId: jobId,
        sandbox,
        campaignId: execution.campaignId,
        campaignVersion: version.version,
        channel: version.definition.channel,
        recipientIndex: index,
        recipient,
        queuedAt,
      };
      return { name: 'deliver', data, opts: { jobId } };
    });
    try {
      await queue.addBulk(jobs);
    } catch (error) {
      await store.executions
        .setStatus(sandbox, execution.id, 'failed', 'queue unavailable')
        .catch((storeError: unknown) => logger.error({ err: storeError }, 'cannot mark execution failed'));
      throw new ServiceUnavailableError('queue-unavailable', 'The queue is unavailable; retry later.', 2, {
        cause: error,
      });
    }
    // Every job is in Redis: the call has succeeded even if this bookkeeping write fails.
    await store.executions
      .setStatus(sandbox, execution.id, 'queued')
      .catch((storeError: unknown) => logger.error({ err: storeError }, 'cannot mark execution queued'));
    logger.info(
      {
        executionId: execution.id,
        requestId: body.requestId,
        campaignId: execution.campaignId,
        recipients: jobs.length,
      },
      'execution queued',
    );
    return {
      executionId: execution.id,
      requestId: body.requestId,
      createdAt: execution.createdAt,
      createdBy: execution.createdBy ?? ANONYMOUS,
      modifiedAt: execution.createdAt,
      modifiedBy: execution.createdBy ?? ANONYMOUS,
    };
  }
}

function isRequestShaped(body: unknown): body is UnitaryExecutionRequest {
  if (typeof body !== 'object' || body === null) return false;
  const candidate = body as Partial<UnitaryExecutionRequest>;
  return (
    typeof candidate.campaignId === 'string' &&
    typeof candidate.requestId === 'string' &&
    Array.isArray(candidate.recipients)
  );
}
