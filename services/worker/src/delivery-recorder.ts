import { MicroBatcher } from '@herald/batching';
import type { Logger } from '@herald/logger';
import {
  emitFeedbackMany,
  transitionOfWrite,
  type DeliveryCounters,
  type FeedbackWebhookQueue,
  type StatusTransition,
} from '@herald/queues';
import {
  emailDomainOf,
  feedbackEventOf,
  type DeliveryKey,
  type DeliveryUpdate,
  type EngagementEvent,
  type EngagementKind,
  type RecordedTransition,
  type Store,
} from '@herald/store';

interface Pending {
  key: DeliveryKey;
  update: DeliveryUpdate;
  facts: RecordFacts;
}

/** What the reports over time break an outcome down by, beyond the record itself. */
export interface RecordFacts {
  /** The content locale the message was rendered in. */
  locale?: string;
  /** The campaign posts feedback webhooks (`enableWebhooks`): the outcome is emitted to them. */
  webhooks?: boolean;
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
  /** Where outcomes go for the customers' feedback webhooks; none: not emitted. */
  feedback?: FeedbackWebhookQueue;
}

export const DEFAULT_RECORDER_OPTIONS: DeliveryRecorderOptions = { maxBatch: 200, maxDelayMs: 3 };

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
    private readonly options: DeliveryRecorderOptions = DEFAULT_RECORDER_OPTIONS,
  ) {
    this.batcher = new MicroBatcher(
      { windowMs: options.maxDelayMs, maxBatchSize: options.maxBatch },
      (batch) => this.write(batch),
    );
  }

  record(key: DeliveryKey, update: DeliveryUpdate, facts: RecordFacts = {}): Promise<void> {
    return this.batcher.add(ONE_GROUP, { key, update, facts });
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
    await this.emitFeedback(batch);
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
   * After the records: a webhook never tells of an outcome the store does not hold. A Redis
   * failure here loses those webhook events (logged), not the outcomes: the job is not re-run for
   * them, since that would send the message again.
   */
  private async emitFeedback(batch: readonly Pending[]): Promise<void> {
    const queue = this.options.feedback;
    if (!queue) return;
    const events = engagementEvents(batch.filter((entry) => entry.facts.webhooks)).map(feedbackEventOf);
    await emitFeedbackMany(queue, events).catch((error: unknown) =>
      this.logger.error({ err: error, count: events.length }, 'cannot queue feedback webhook events'),
    );
  }

  /**
   * The providers have already accepted these messages: a failed write would make their jobs send
   * again, so a transient store failure is retried here first.
   */
  private async storeWithRetries(batch: readonly Pending[]): Promise<RecordedTransition[]> {
    const entries = batch.map(({ key, update }) => ({ key, update }));
    const events = engagementEvents(batch);
    for (const delay of RETRY_DELAYS_MS) {
      try {
        return await this.writeOnce(entries, events);
      } catch (error) {
        this.logger.warn(
          { err: error, count: entries.length, retryInMs: delay },
          'cannot write delivery records',
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    return this.writeOnce(entries, events);
  }

  /**
   * The engagement events first: their keys make a repeat a no-op, so a batch retried after the
   * records failed (or a job re-run after a crash) counts each outcome once in the reports.
   */
  private async writeOnce(
    entries: ReadonlyArray<{ key: DeliveryKey; update: DeliveryUpdate }>,
    events: readonly EngagementEvent[],
  ): Promise<RecordedTransition[]> {
    if (events.length > 0) await this.store.engagement.recordMany(events);
    return this.store.deliveries.recordMany(entries);
  }
}

/** The worker's outcomes that the reports over time count. */
const COUNTED = ['sent', 'excluded', 'failed'] as const satisfies readonly EngagementKind[];

function isCounted(status: string): status is (typeof COUNTED)[number] {
  return (COUNTED as readonly string[]).includes(status);
}

function engagementEvents(batch: readonly Pending[]): EngagementEvent[] {
  const events: EngagementEvent[] = [];
  for (const { key, update, facts } of batch) {
    const { status, at, reason } = update.event;
    if (!isCounted(status)) continue;
    const domain = key.channel === 'email' ? (emailDomainOf(update.address) ?? undefined) : undefined;
    events.push({
      key: `${key.id}:${status}`,
      sandbox: key.sandbox,
      campaignId: key.campaignId,
      executionId: key.executionId,
      deliveryId: key.id,
      channel: key.channel,
      kind: status,
      at,
      ...(reason === undefined ? {} : { reason }),
      ...(domain === undefined ? {} : { domain }),
      ...(facts.locale === undefined ? {} : { locale: facts.locale }),
    });
  }
  return events;
}
