import type { CampaignVersion, DeliveryJobData, Execution, Recipient } from '@herald/contracts';
import { ServiceUnavailableError } from '@herald/errors';
import type { Logger } from '@herald/logger';
import { deliveryJob, type DeliveryQueue } from '@herald/queues';
import type { NewExecution, Store } from '@herald/store';
import { correlationLogFields, type Correlation } from '../http/correlation';
import { acceptedAnswer, type ExecutionAccepted } from './execution-accepted';
import { queueUnavailable } from './queue-unavailable';

/** An idempotency claim that lets the call proceed: a first attempt, or the resumption of one. */
export interface ExecutionClaim {
  kind: 'new' | 'resume';
  executionId: string;
}

export interface EnqueueInput {
  store: Store;
  logger: Logger;
  queue: DeliveryQueue;
  claim: ExecutionClaim;
  /** The execution to record once its jobs are queued. */
  execution: Omit<NewExecution, 'id' | 'status'>;
  version: CampaignVersion;
  recipients: readonly Recipient[];
  mode?: DeliveryJobData['mode'];
  /**
   * The caller's correlation ids, named in the log line of the accepted call; its request id goes
   * into every job, for the worker's log lines.
   */
  correlation?: Correlation;
  /**
   * Refuses the call when the queue is over its bound; run only when there is something to queue,
   * so the retry of a call already queued still gets its answer.
   */
  assertQueueHasRoom?: () => Promise<void>;
}

/**
 * Queues one job per recipient with ids derived from (execution, recipient), so a re-add after a
 * crash or a concurrent duplicate can never duplicate a job; then writes the execution record,
 * once, as `queued`. Answers only once Redis holds every job and the record exists; 503 when
 * either cannot be written, and the caller's retry (same requestId) resumes onto the same jobs.
 * A queue write that fails outside Redis (a job BullMQ refuses before sending it) throws its own
 * error, a 500: nothing was queued, and waiting would not help.
 * The `queued` record is also what marks the call done for idempotency: a resumed call that finds
 * it answers from it and queues nothing, since re-adding would re-create jobs that already ran
 * and were removed. Workers never read the execution record, so jobs may run before it is written.
 */
export async function enqueueRecipients(input: EnqueueInput): Promise<ExecutionAccepted> {
  const { store, logger, queue, claim, version } = input;
  const executionId = claim.executionId;
  const earlier =
    claim.kind === 'resume' ? await earlierRecord(store, input.execution.sandbox, executionId) : null;
  if (earlier?.status === 'queued') return acceptedAnswer(earlier);
  await input.assertQueueHasRoom?.();
  const queuedAt = new Date().toISOString();
  const jobs = input.recipients.map((recipient, index) =>
    deliveryJob({
      executionId,
      sandbox: input.execution.sandbox,
      campaignId: input.execution.campaignId,
      campaignVersion: version.version,
      channel: version.definition.channel,
      recipientIndex: index,
      recipient,
      queuedAt,
      ...(input.mode ? { mode: input.mode } : {}),
      ...(input.correlation ? { xRequestId: input.correlation.requestId } : {}),
    }),
  );
  try {
    await queue.addBulk(jobs);
  } catch (error) {
    throw queueUnavailable(error);
  }
  const execution = earlier
    ? await queued(store, earlier)
    : await recordQueued(store, executionId, input.execution);
  logger.info(
    {
      executionId,
      requestId: execution.requestId,
      campaignId: execution.campaignId,
      kind: execution.kind,
      recipients: jobs.length,
      ...correlationLogFields(input.correlation),
    },
    'execution queued',
  );
  return acceptedAnswer(execution);
}

/**
 * The execution record of a call whose jobs are all queued. A concurrent duplicate of the call
 * may write it at this very moment: its record is the one answered.
 */
async function recordQueued(
  store: Store,
  executionId: string,
  input: Omit<NewExecution, 'id' | 'status'>,
): Promise<Execution> {
  try {
    return await store.executions.create({ ...input, id: executionId, status: 'queued' });
  } catch (error) {
    const written = await readRecord(store, input.sandbox, executionId);
    if (written) return queued(store, written);
    throw new ServiceUnavailableError(
      'store-unavailable',
      'The jobs are queued but the execution could not be recorded; retry the same call.',
      2,
      { cause: error },
    );
  }
}

/** Unknown is not absent: re-adding jobs without knowing whether they already ran could send twice. */
async function earlierRecord(store: Store, sandbox: string, id: string): Promise<Execution | null> {
  try {
    return await store.executions.get(sandbox, id);
  } catch (error) {
    throw new ServiceUnavailableError(
      'store-unavailable',
      'Whether this call was already queued cannot be read; retry the same call.',
      2,
      { cause: error },
    );
  }
}

async function readRecord(store: Store, sandbox: string, id: string): Promise<Execution | null> {
  return store.executions.get(sandbox, id).catch(() => null);
}

/** A record left `accepted` (written before its jobs by an earlier Herald version) is completed here. */
async function queued(store: Store, execution: Execution): Promise<Execution> {
  if (execution.status === 'queued') return execution;
  await store.executions.setStatus(execution.sandbox, execution.id, 'queued');
  return { ...execution, status: 'queued' };
}
