import type { ValidateFunction } from 'ajv';
import type {
  Campaign,
  CampaignVersion,
  Channel,
  DeliveryJobData,
  Execution,
  UnitaryExecutionRequest,
} from '@herald/contracts';
import { deliveryJobId, newId, unitaryExecutionSchema } from '@herald/contracts';
import {
  ConflictError,
  NotFoundError,
  ServiceUnavailableError,
  ValidationError,
  type FieldError,
} from '@herald/errors';
import type { Logger } from '@herald/logger';
import type { DeliveryQueue } from '@herald/queues';
import type { Store } from '@herald/store';
import { settleCampaign } from '../campaigns/settle-campaign';
import { createAjv, toFieldErrors } from '../validation/ajv';
import type { ContextValidators } from './context-validators';
import { recipientProblems } from './recipient-checks';

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
  store: Store;
  /** One delivery queue per channel: a job goes to the queue of its campaign's channel. */
  queues: Record<Channel, DeliveryQueue>;
  /** Accept push endpoints on loopback and private networks in `channelData.pushInfo`. */
  allowPrivatePushEndpoints: boolean;
  contextValidators: ContextValidators;
  limits: UnitaryExecutionLimits;
  logger: Logger;
}

/** Until API keys exist (issue 3) calls are not attributed to a caller. */
const ANONYMOUS = 'anonymous';

/**
 * `POST /im/executions/unitary`: validates the whole call, records the execution, queues one
 * job per recipient and answers only once Redis holds every job. All or nothing: one bad
 * recipient rejects the call and nothing is queued.
 */
export class UnitaryExecutionService {
  private readonly validateRequest: ValidateFunction<UnitaryExecutionRequest>;

  constructor(private readonly deps: UnitaryExecutionDeps) {
    this.validateRequest = createAjv().compile<UnitaryExecutionRequest>(
      unitaryExecutionSchema(deps.limits.maxRecipients),
    );
  }

  async execute(sandbox: string, body: unknown): Promise<ExecutionAccepted> {
    const schemaProblems = this.validateRequest(body) ? [] : toFieldErrors(this.validateRequest.errors);
    const callProblems = schemaProblems.filter((problem) => problem.recipientIndex === undefined);
    if (callProblems.length > 0 || !isRequestShaped(body)) {
      throw new ValidationError('invalid-request', 'The request body is invalid.', schemaProblems);
    }
    const { campaign, version } = await this.liveCampaign(sandbox, body.campaignId);
    const problems = [...schemaProblems, ...this.recipientsProblems(body, version, schemaProblems)];
    if (problems.length > 0) {
      throw new ValidationError(
        'invalid-recipients',
        'One or more recipients are invalid; nothing was queued.',
        problems,
      );
    }
    return this.enqueue(sandbox, body, campaign, version);
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
    return { campaign, version };
  }

  /** Checks the recipients the request schema found well-formed (the others are already listed). */
  private recipientsProblems(
    body: UnitaryExecutionRequest,
    version: CampaignVersion,
    schemaProblems: readonly FieldError[],
  ): FieldError[] {
    const malformed = new Set(schemaProblems.map((problem) => problem.recipientIndex));
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

  private async enqueue(
    sandbox: string,
    body: UnitaryExecutionRequest,
    campaign: Campaign,
    version: CampaignVersion,
  ): Promise<ExecutionAccepted> {
    const { store, logger } = this.deps;
    const queue = this.deps.queues[version.definition.channel];
    const execution: Execution = await store.executions.create({
      id: newId(),
      sandbox,
      kind: 'unitary',
      campaignId: campaign.id,
      campaignVersion: version.version,
      requestId: body.requestId,
      recipientCount: body.recipients.length,
      createdBy: ANONYMOUS,
    });
    const queuedAt = new Date().toISOString();
    const jobs = body.recipients.map((recipient, index) => {
      const jobId = deliveryJobId(execution.id, index);
      const data: DeliveryJobData = {
        executionId: execution.id,
        deliveryId: jobId,
        sandbox,
        campaignId: campaign.id,
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
        campaignId: campaign.id,
        recipients: jobs.length,
      },
      'execution queued',
    );
    return {
      executionId: execution.id,
      requestId: body.requestId,
      createdAt: execution.createdAt,
      createdBy: ANONYMOUS,
      modifiedAt: execution.createdAt,
      modifiedBy: ANONYMOUS,
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
