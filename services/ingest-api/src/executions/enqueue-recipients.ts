import type { CampaignVersion, DeliveryJobData, Execution, Recipient } from '@herald/contracts';
import { deliveryJobId } from '@herald/contracts';
import { ServiceUnavailableError } from '@herald/errors';
import type { Logger } from '@herald/logger';
import type { DeliveryQueue } from '@herald/queues';
import type { NewExecution, Store } from '@herald/store';

/** The AJO answer to an accepted call. */
export interface ExecutionAccepted {
  executionId: string;
  requestId: string;
  createdAt: string;
  createdBy: string;
  modifiedAt: string;
  modifiedBy: string;
}

/** An idempotency claim that lets the call proceed: a first attempt, or the resumption of one. */
export interface ExecutionClaim {
  kind: 'new' | 'resume';
  executionId: string;
}

/**
 * The execution record of a claimed call. A resumed call reuses the record of its first attempt,
 * which may not exist (that attempt crashed before writing it) or may be written at this very
 * moment by a concurrent duplicate.
 */
export async function claimedExecution(
  store: Store,
  claim: ExecutionClaim,
  input: Omit<NewExecution, 'id'>,
): Promise<Execution> {
  if (claim.kind === 'resume') {
    const existing = await store.executions.get(input.sandbox, claim.executionId);
    if (existing) return existing;
  }
  try {
    return await store.executions.create({ ...input, id: claim.executionId });
  } catch (error) {
    const written = await store.executions.get(input.sandbox, claim.executionId);
    if (written) return written;
    throw error;
  }
}

export interface EnqueueInput {
  store: Store;
  logger: Logger;
  queue: DeliveryQueue;
  execution: Execution;
  version: CampaignVersion;
  recipients: readonly Recipient[];
  mode?: DeliveryJobData['mode'];
}

/**
 * Queues one job per recipient with ids derived from (execution, recipient), so a re-add after a
 * crash or a concurrent duplicate can never duplicate a job; answers only once Redis holds them
 * all, and 503 when it cannot.
 */
export async function enqueueRecipients(input: EnqueueInput): Promise<ExecutionAccepted> {
  const { store, logger, queue, execution, version } = input;
  const queuedAt = new Date().toISOString();
  const jobs = input.recipients.map((recipient, index) => {
    const jobId = deliveryJobId(execution.id, index);
    const data: DeliveryJobData = {
      executionId: execution.id,
      deliveryId: jobId,
      sandbox: execution.sandbox,
      campaignId: execution.campaignId,
      campaignVersion: version.version,
      channel: version.definition.channel,
      recipientIndex: index,
      recipient,
      queuedAt,
      ...(input.mode ? { mode: input.mode } : {}),
    };
    return { name: 'deliver', data, opts: { jobId } };
  });
  try {
    await queue.addBulk(jobs);
  } catch (error) {
    await store.executions
      .setStatus(execution.sandbox, execution.id, 'failed', 'queue unavailable')
      .catch((storeError: unknown) => logger.error({ err: storeError }, 'cannot mark execution failed'));
    throw new ServiceUnavailableError('queue-unavailable', 'The queue is unavailable; retry later.', 2, {
      cause: error,
    });
  }
  // Every job is in Redis: the call has succeeded even if this bookkeeping write fails.
  await store.executions
    .setStatus(execution.sandbox, execution.id, 'queued')
    .catch((storeError: unknown) => logger.error({ err: storeError }, 'cannot mark execution queued'));
  logger.info(
    {
      executionId: execution.id,
      requestId: execution.requestId,
      campaignId: execution.campaignId,
      kind: execution.kind,
      recipients: jobs.length,
    },
    'execution queued',
  );
  const createdBy = execution.createdBy ?? 'anonymous';
  return {
    executionId: execution.id,
    requestId: execution.requestId,
    createdAt: execution.createdAt,
    createdBy,
    modifiedAt: execution.createdAt,
    modifiedBy: createdBy,
  };
}
