import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '@herald/logger';
import type { FeedbackEmitter } from '@herald/queues';
import { feedbackEventOf, type EngagementEvent, type EngagementRepository } from '@herald/store';

export interface EngagementWriterOptions {
  /** How long an event waits for others to share its store write. */
  windowMs: number;
  /** A batch is written at once when it reaches this many events. */
  maxBatchSize: number;
  /** Writes of one batch before its events are given up (logged as lost). */
  attempts: number;
  /** Wait before the first retry; doubled before each next one. */
  retryDelayMs: number;
}

export const DEFAULT_WRITER_OPTIONS: EngagementWriterOptions = {
  windowMs: 100,
  maxBatchSize: 500,
  attempts: 4,
  retryDelayMs: 200,
};

/** The events waiting for one store write, and the promise their recorders wait on. */
interface Batch {
  events: EngagementEvent[];
  written: Promise<void>;
  settle(): void;
  timer?: NodeJS.Timeout;
}

/**
 * Writes the tracker's events to the store in batches: a hit is answered before its event is
 * written, so thousands of opens a second become a few store writes. A batch the store refuses is
 * retried (the write is idempotent: event keys are unique), then logged as lost.
 *
 * What a crash (SIGKILL, power loss) loses: the events of hits already answered that were still
 * waiting for their window (up to `windowMs` of them) or in a batch being written or retried. For
 * an unsubscription that is only the event: the consent change is written before the answer.
 * SIGTERM loses nothing: `close` writes what waits.
 *
 * One promise a batch rather than one an event (as a general micro-batcher gives): a hit's
 * answer never waits for it, and at thousands of hits a second the per-event promises and
 * their settling were a measurable share of the tracker's CPU.
 */
export class EngagementWriter {
  /** Events of all sandboxes share a write. */
  private batch: Batch | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly repository: Pick<EngagementRepository, 'recordMany'>,
    private readonly logger: Logger,
    private readonly options: EngagementWriterOptions = DEFAULT_WRITER_OPTIONS,
    /** Emits written events to the customers' feedback webhooks; none: not emitted. */
    private readonly feedback?: Pick<FeedbackEmitter, 'emit'>,
  ) {}

  /** Queues one event; resolves once its batch is written or given up. Never rejects. */
  record(event: EngagementEvent): Promise<void> {
    const batch = this.batch ?? this.open();
    batch.events.push(event);
    if (this.closed || batch.events.length >= this.options.maxBatchSize) this.flush();
    return batch.written;
  }

  /** Writes every waiting event and waits for the batches in flight (retries included). */
  async close(): Promise<void> {
    this.closed = true;
    this.flush();
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  private open(): Batch {
    let settle!: () => void;
    const written = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const batch: Batch = { events: [], written, settle };
    // Not unref'd: a process whose only work is this event must not exit before it is written.
    if (!this.closed) batch.timer = setTimeout(() => this.flush(), this.options.windowMs);
    this.batch = batch;
    return batch;
  }

  private flush(): void {
    const batch = this.batch;
    if (!batch) return;
    this.batch = undefined;
    clearTimeout(batch.timer);
    const writing = this.write(batch.events).then(batch.settle);
    this.inFlight.add(writing);
    void writing.finally(() => this.inFlight.delete(writing));
  }

  private async write(events: readonly EngagementEvent[]): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.repository.recordMany(events);
        await this.emitFeedback(events);
        break;
      } catch (error) {
        const err = error instanceof Error ? error.message : String(error);
        if (attempt >= this.options.attempts) {
          this.logger.error(
            { err, events: events.length, kinds: countKinds(events), attempts: attempt },
            'engagement events lost: the store refused their batch',
          );
          break;
        }
        this.logger.warn({ err, events: events.length, attempt }, 'engagement batch not written; retrying');
        await delay(this.options.retryDelayMs * 2 ** (attempt - 1));
      }
    }
  }

  /** After the store: a webhook never tells of an event the reports do not hold. Redis down: logged, not retried. */
  private async emitFeedback(events: readonly EngagementEvent[]): Promise<void> {
    if (!this.feedback) return;
    await this.feedback
      .emit(events.map(feedbackEventOf))
      .catch((error: unknown) =>
        this.logger.error({ err: error, events: events.length }, 'cannot queue feedback webhook events'),
      );
  }
}

function countKinds(events: readonly EngagementEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of events) counts[event.kind] = (counts[event.kind] ?? 0) + 1;
  return counts;
}
