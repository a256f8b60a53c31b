import { MicroBatcher } from '@herald/batching';
import type { Logger } from '@herald/logger';
import { transitionOfWrite, type DeliveryCounters, type StatusTransition } from '@herald/queues';
import type { DeliveryKey, DeliveryUpdate, RecordedTransition, Store } from '@herald/store';

interface Pending {
  key: DeliveryKey;
  update: DeliveryUpdate;
}

/** Every record goes to the one store, so all share one group. */
const ONE_GROUP = 'records';

/** Pauses before the second and third try of a batch write (SQLite busy, a store failing over). */
const RETRY_DELAYS_MS = [50, 250];

export interface DeliveryRecorderOptions {
  /** Records written in one store transaction at most. */
  maxBatch: number;
  /** How long a record may wait for others to share its write. */
  maxDelayMs: number;
}

/**
 * Writes delivery records in batches: one store write for every record that arrives within
 * `maxDelayMs` (or `maxBatch` of them), which is what lets one worker record thousands of
 * outcomes a second. Each `record` resolves only once its batch is committed, so a job is never
 * acknowledged before its outcome is stored. Counters move only on real status changes reported
 * by the store, so a job retried after a crash is not counted twice, nor counted back from what
 * provider feedback reported since.
 */
export class DeliveryRecorder {
  private readonly batcher: MicroBatcher<Pending, void>;

  constructor(
    private readonly store: Store,
    private readonly counters: DeliveryCounters,
    private readonly logger: Logger,
    options: DeliveryRecorderOptions = { maxBatch: 200, maxDelayMs: 3 },
  ) {
    this.batcher = new MicroBatcher(
      { windowMs: options.maxDelayMs, maxBatchSize: options.maxBatch },
      (batch) => this.write(batch),
    );
  }

  record(key: DeliveryKey, update: DeliveryUpdate): Promise<void> {
    return this.batcher.add(ONE_GROUP, { key, update });
  }

  /**
   * Writes what is waiting and resolves once every write started so far has finished. For shutdown:
   * records handed in afterwards are written one at a time.
   */
  async drain(): Promise<void> {
    await this.batcher.close();
  }

  private async write(batch: readonly Pending[]): Promise<Array<PromiseSettledResult<void>>> {
    let previous: RecordedTransition[];
    try {
      previous = await this.storeWithRetries(batch);
    } catch (error) {
      if (batch.length === 1) return [{ status: 'rejected', reason: error }];
      // One entry the store refuses must not fail (and so re-send) the whole batch: write each alone.
      this.logger.error(
        { err: error, count: batch.length },
        'batch of delivery records refused; writing one by one',
      );
      return (await Promise.all(batch.map((entry) => this.write([entry])))).flat();
    }
    // A re-run's write over provider feedback keeps the record's status: no counter moves for it.
    const transitions = batch
      .map(({ key, update }, index) =>
        transitionOfWrite(
          { sandbox: key.sandbox, executionId: key.executionId, campaignId: key.campaignId },
          previous[index],
          update.event,
        ),
      )
      .filter((transition): transition is StatusTransition => transition !== null);
    if (transitions.length > 0) {
      // The records are the truth; counters that miss an update are rebuilt from them on read.
      await this.counters
        .apply(transitions)
        .catch((error: unknown) =>
          this.logger.error({ err: error, count: transitions.length }, 'cannot update delivery counters'),
        );
    }
    return batch.map(() => ({ status: 'fulfilled', value: undefined }));
  }

  /**
   * The providers have already accepted these messages: a failed write would make their jobs send
   * again, so a transient store failure is retried here first.
   */
  private async storeWithRetries(batch: readonly Pending[]): Promise<RecordedTransition[]> {
    const entries = batch.map(({ key, update }) => ({ key, update }));
    for (const delay of RETRY_DELAYS_MS) {
      try {
        return await this.store.deliveries.recordMany(entries);
      } catch (error) {
        this.logger.warn(
          { err: error, count: entries.length, retryInMs: delay },
          'cannot write delivery records',
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    return this.store.deliveries.recordMany(entries);
  }
}
