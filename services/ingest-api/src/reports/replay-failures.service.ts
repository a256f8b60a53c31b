import type { Delivery } from '@herald/contracts';
import { ValidationError } from '@herald/errors';
import type { Logger } from '@herald/logger';
import { transitionOfWrite, type DeliveryQueue, type StatusTransition } from '@herald/queues';
import type { DeliveryKey, RecordedTransition } from '@herald/store';
import { createAjv, toFieldErrors } from '../validation/ajv';
import { executionOrNotFound, type ExecutionReportDeps } from './execution-report.service';

export const MAX_REPLAY_IDS = 1000;
/** Failures read and replayed per step when the whole execution is replayed. */
const REPLAY_PAGE = 500;
/** The reason of the `queued` event a replay appends to the record's history. */
export const REPLAYED_REASON = 'replayed';

export const replayFailuresSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    deliveryIds: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_REPLAY_IDS,
      uniqueItems: true,
      items: { type: 'string', minLength: 1, maxLength: 200 },
      description: 'Failed deliveries to replay; all of the execution’s when omitted.',
    },
  },
} as const;

interface ReplayBody {
  deliveryIds?: string[];
}

export const NOT_REPLAYABLE_REASONS = [
  'delivery-not-found',
  'not-failed',
  'job-not-found',
  'job-not-failed',
  'retry-failed',
] as const;

export type NotReplayableReason = (typeof NOT_REPLAYABLE_REASONS)[number];

export interface ReplayResult {
  replayed: number;
  notReplayable: Array<{ deliveryId: string; reason: NotReplayableReason }>;
}

/**
 * Moves failed delivery jobs (the dead letter) back to waiting with their full attempts again.
 * Each record gets a `queued` event first, while its job still sits in the failed set where no
 * worker touches it, so the worker's next outcome always lands after it. A record whose job
 * cannot be moved is put back to failed; one left queued by a replay interrupted between the two
 * steps is replayed by the next call.
 */
export class ReplayFailuresService {
  private readonly validate;

  constructor(private readonly deps: ExecutionReportDeps & { logger: Logger }) {
    this.validate = createAjv().compile<ReplayBody>(replayFailuresSchema);
  }

  async replay(
    sandbox: string,
    executionId: string,
    body: unknown,
    held: readonly string[],
  ): Promise<ReplayResult> {
    const request = body ?? {};
    if (!this.validate(request)) {
      throw new ValidationError(
        'invalid-replay',
        'The replay request is invalid.',
        toFieldErrors(this.validate.errors),
      );
    }
    await executionOrNotFound(this.deps.store, sandbox, executionId, held);
    const result: ReplayResult = { replayed: 0, notReplayable: [] };
    if (request.deliveryIds) {
      await this.replayBatch(
        await this.candidatesAmong(sandbox, executionId, request.deliveryIds, result),
        result,
      );
    } else {
      // Records left queued by a replay interrupted before its jobs moved are picked up again.
      for (const status of ['failed', 'queued'] as const) {
        let cursor: string | null = null;
        do {
          const page = await this.deps.store.deliveries.listByExecution(
            sandbox,
            executionId,
            { limit: REPLAY_PAGE, ...(cursor === null ? {} : { cursor }) },
            { status },
          );
          // Queued records whose job is no longer failed are replays under way, not failures.
          await this.replayBatch(page.items.filter(isReplayCandidate), result, status === 'failed');
          cursor = page.nextCursor;
        } while (cursor !== null);
      }
    }
    this.deps.logger.info(
      { executionId, replayed: result.replayed, notReplayable: result.notReplayable.length },
      'failed deliveries replayed',
    );
    return result;
  }

  private async candidatesAmong(
    sandbox: string,
    executionId: string,
    ids: readonly string[],
    result: ReplayResult,
  ): Promise<Delivery[]> {
    const records = await Promise.all(ids.map((id) => this.deps.store.deliveries.get(sandbox, id)));
    const candidates: Delivery[] = [];
    records.forEach((record, index) => {
      const deliveryId = ids[index] ?? '';
      if (!record || record.executionId !== executionId) {
        result.notReplayable.push({ deliveryId, reason: 'delivery-not-found' });
      } else if (!isReplayCandidate(record)) {
        result.notReplayable.push({ deliveryId, reason: 'not-failed' });
      } else candidates.push(record);
    });
    return candidates;
  }

  private async replayBatch(
    records: readonly Delivery[],
    result: ReplayResult,
    reportSkipped = true,
  ): Promise<void> {
    const states = await Promise.all(records.map((record) => this.queueOf(record).getJobState(record.id)));
    const notMoved: Delivery[] = [];
    const replayable = records.filter((record, index) => {
      const state = states[index];
      if (state === 'failed') return true;
      const orphaned = state === 'unknown' && record.status === 'queued';
      if (orphaned) notMoved.push(record);
      if (reportSkipped || orphaned) {
        result.notReplayable.push({
          deliveryId: record.id,
          reason: state === 'unknown' ? 'job-not-found' : 'job-not-failed',
        });
      }
      return false;
    });
    const stillFailed = replayable.filter((record) => record.status === 'failed');
    if (stillFailed.length > 0) {
      await this.record(stillFailed, () => ({ status: 'queued', reason: REPLAYED_REASON }));
    }
    const retried = await Promise.all(replayable.map((record) => this.retry(record)));
    replayable.forEach((record, index) => {
      const outcome = retried[index] ?? 'retry-failed';
      if (outcome === 'replayed') {
        result.replayed += 1;
        return;
      }
      result.notReplayable.push({ deliveryId: record.id, reason: outcome });
      // A job another caller replayed meanwhile is on its way: its record rightly says queued.
      if (outcome !== 'job-not-failed') notMoved.push(record);
    });
    if (notMoved.length > 0) {
      await this.record(notMoved, (record) => {
        const reason = lastFailureReason(record);
        return {
          status: 'failed',
          ...(reason === undefined ? {} : { reason }),
          detail: 'replay failed: the job could not be moved back to waiting',
        };
      });
    }
  }

  private async retry(
    record: Delivery,
  ): Promise<'replayed' | Exclude<NotReplayableReason, 'delivery-not-found' | 'not-failed'>> {
    const queue = this.queueOf(record);
    const job = await queue.getJob(record.id);
    if (!job) return 'job-not-found';
    try {
      // Without the resets the job would keep its spent attempts and fail on its first error.
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      return 'replayed';
    } catch (error) {
      const state = await queue.getJobState(record.id);
      if (state === 'unknown') return 'job-not-found';
      if (state !== 'failed') return 'job-not-failed';
      this.deps.logger.warn({ deliveryId: record.id, err: error }, 'cannot replay a failed job');
      return 'retry-failed';
    }
  }

  /** Appends one event to each record and moves the live counters by the real status changes. */
  private async record(
    records: readonly Delivery[],
    event: (record: Delivery) => { status: Delivery['status']; reason?: string; detail?: string },
  ): Promise<void> {
    const at = new Date().toISOString();
    const previous = await this.deps.store.deliveries.recordMany(
      records.map((record) => ({ key: keyOf(record), update: { event: { ...event(record), at } } })),
    );
    const transitions = records.flatMap((record, index) =>
      transitionOf(record, previous[index], event(record)),
    );
    // The records are the truth: counters that miss this change are recounted from them on read.
    await this.deps.counters
      .apply(transitions)
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'cannot update delivery counters'));
  }

  private queueOf(record: Delivery): DeliveryQueue {
    return this.deps.queues[record.channel];
  }
}

/** A failed record, or one a replay marked queued before it could move the job. */
function isReplayCandidate(record: Delivery): boolean {
  return record.status === 'failed' || (record.status === 'queued' && record.reason === REPLAYED_REASON);
}

function lastFailureReason(record: Delivery): string | undefined {
  return record.history.findLast((event) => event.status === 'failed')?.reason;
}

function keyOf(record: Delivery): DeliveryKey {
  return {
    id: record.id,
    sandbox: record.sandbox,
    executionId: record.executionId,
    campaignId: record.campaignId,
    campaignVersion: record.campaignVersion,
    recipientIndex: record.recipientIndex,
    channel: record.channel,
  };
}

function transitionOf(
  record: Delivery,
  before: RecordedTransition | undefined,
  to: { status: Delivery['status']; reason?: string },
): StatusTransition[] {
  // Feedback that moved the record between the read and the write kept its status: nothing to count.
  const transition = transitionOfWrite(
    { sandbox: record.sandbox, executionId: record.executionId, campaignId: record.campaignId },
    before,
    to,
  );
  return transition ? [transition] : [];
}
