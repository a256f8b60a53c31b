import type {
  CampaignVersion,
  DeliveryJobData,
  ExecutionKind,
  UnitaryExecutionRequest,
} from '@herald/contracts';
import { ServiceUnavailableError } from '@herald/errors';
import type { Logger } from '@herald/logger';
import type { DeliveryQueue } from '@herald/queues';
import type { CampaignVersions, Store } from '@herald/store';
import type { TemplateEngine } from '@herald/templating';
import type { Correlation } from '../http/correlation';
import type { QueueBackpressure } from '../limits/queue-backpressure';
import type { ContextValidators } from './context-validators';
import { enqueueRecipients, type ExecutionClaim } from './enqueue-recipients';
import type { ExecutionAccepted } from './execution-accepted';
import type { IdempotencyGuard } from './idempotency';

export interface TriggerCallLimits {
  maxRecipients: number;
  maxContextBytes: number;
}

/** What the unitary and highthroughput services both need. */
export interface TriggerCallDeps {
  store: Store;
  /** Live campaign versions, cached: they never change. */
  versions: CampaignVersions;
  contextValidators: ContextValidators;
  limits: TriggerCallLimits;
  idempotency: IdempotencyGuard;
  /** Refuses calls while the channel's queue is deeper than the configured bound. */
  backpressure: QueueBackpressure;
  /** Renders dry-run messages exactly as the worker will. */
  templates: TemplateEngine;
  logger: Logger;
}

/** The body of a unitary or highthroughput call that passed validation, and its live version. */
export interface ValidatedTrigger {
  request: UnitaryExecutionRequest;
  version: CampaignVersion;
}

/** A trigger call as the API received it (unitary, highthroughput or audience): what, from whom, where. */
export interface IncomingTrigger {
  sandbox: string;
  body: unknown;
  /** `bodyFingerprint` of the body as sent: what its `requestId` is bound to. */
  fingerprint: string;
  /**
   * The caller's own `x-request-id` header: an idempotency key too, as in AJO's gateway, within
   * the caller, the operation and the campaign.
   */
  xRequestId?: string;
  /** The caller (its API key id), named in the execution record and the answer. */
  createdBy: string;
  /** The caller's campaign access labels: a campaign whose labels it lacks is not found. */
  held: readonly string[];
  /** The caller's ids, named in the log line of the accepted call. */
  correlation?: Correlation;
}

/** A validated call and who made it (its labels were checked when its campaign was resolved). */
export interface ValidTriggerCall extends ValidatedTrigger, Omit<IncomingTrigger, 'body' | 'held'> {}

/** Where the jobs of a call go and how they are marked. */
export interface TriggerTarget {
  queue: DeliveryQueue;
  kind: Extract<ExecutionKind, 'unitary' | 'highthroughput'>;
  mode?: DeliveryJobData['mode'];
}

/**
 * Claims the call's `requestId` and `x-request-id`, checks the queue has room and queues one job
 * per recipient. A repeated call answers the first answer and never queues a recipient twice.
 */
export async function claimAndEnqueue(
  deps: Pick<TriggerCallDeps, 'store' | 'logger' | 'idempotency' | 'backpressure'>,
  call: ValidTriggerCall,
  target: TriggerTarget,
): Promise<ExecutionAccepted> {
  const { sandbox, request, version } = call;
  const claim = await deps.idempotency.begin({
    sandbox,
    fingerprint: call.fingerprint,
    requestId: request.requestId,
    ...(call.xRequestId !== undefined
      ? {
          xRequestId: {
            value: call.xRequestId,
            caller: call.createdBy,
            operation: target.kind,
            campaignId: version.campaignId,
          },
        }
      : {}),
  });
  // A body requestId is marked done by the execution record, never in the guard: its answer can
  // only come from an x-request-id, which answers the first call whatever it was (as AJO does).
  if (claim.kind === 'replay') return claim.response as ExecutionAccepted;
  let answer: ExecutionAccepted;
  try {
    answer = await enqueue(deps, call, target, claim);
  } catch (error) {
    // enqueueRecipients answers 503 for every failure after which its jobs may be in Redis; any
    // other failure queued nothing, and must not hold the call's keys until their TTL.
    if (!(error instanceof ServiceUnavailableError)) {
      await deps.idempotency
        .abandon(claim, sandbox)
        .catch((releaseError: unknown) =>
          deps.logger.error({ err: releaseError }, 'cannot release the idempotency claim of a failed call'),
        );
    }
    throw error;
  }
  // The jobs are queued: if the x-request-id stays in progress, a retry resumes onto the record.
  await deps.idempotency
    .complete(claim, sandbox, answer, false)
    .catch((error: unknown) => deps.logger.error({ err: error }, 'cannot mark x-request-id completed'));
  return answer;
}

function enqueue(
  deps: Pick<TriggerCallDeps, 'store' | 'logger' | 'backpressure'>,
  { sandbox, request, version, createdBy, correlation }: ValidTriggerCall,
  target: TriggerTarget,
  claim: ExecutionClaim,
): Promise<ExecutionAccepted> {
  return enqueueRecipients({
    store: deps.store,
    logger: deps.logger,
    queue: target.queue,
    claim,
    execution: {
      sandbox,
      kind: target.kind,
      campaignId: version.campaignId,
      campaignVersion: version.version,
      requestId: request.requestId,
      recipientCount: request.recipients.length,
      createdBy,
    },
    version,
    recipients: request.recipients,
    correlation,
    mode: target.mode,
    assertQueueHasRoom: () => deps.backpressure.assertQueueHasRoom(version.definition.channel),
  });
}
