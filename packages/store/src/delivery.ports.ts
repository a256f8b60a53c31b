import type { Channel, Delivery, DeliveryEvent, DeliveryStatus } from '@herald/contracts';
import type { Page, PageRequest } from './paging.ports';

/** The delivery-record port, part of `ports.ts` (re-exported from there). */

/** Identity of a delivery record: fixed when it is first written. */
export interface DeliveryKey {
  id: string;
  sandbox: string;
  executionId: string;
  campaignId: string;
  campaignVersion: number;
  recipientIndex: number;
  channel: Channel;
}

/** One change to a delivery: an event appended to its history plus the fields it sets. */
export interface DeliveryUpdate {
  event: DeliveryEvent;
  address?: string;
  profileId?: string;
  providerMessageId?: string;
  /** Attempts made so far, as the queue counts them. */
  attempts?: number;
  lastError?: string;
}

/** What a delivery record held just before one write of `recordMany`. */
export interface RecordedTransition {
  /** Null when the write created the record. */
  previousStatus: DeliveryStatus | null;
  previousReason?: string;
  /**
   * Present when the write kept the record's status and reason (a worker status written over a
   * feedback status, see `record`): the record did not change status, so counters must not move.
   */
  statusKept?: true;
}

export interface DeliveryListFilter {
  status?: DeliveryStatus;
}

/** Counts of an execution's delivery records, read from the store itself. */
export interface DeliveryCountsFromStore {
  byStatus: Partial<Record<DeliveryStatus, number>>;
  /** Records whose status is `excluded`, by their reason. */
  excludedByReason: Record<string, number>;
  /** Records whose status is `failed`, by their reason. */
  failedByReason: Record<string, number>;
}

/** What `recordFeedback` found and did for one delivery. */
export type FeedbackOutcome =
  | { found: false }
  | {
      found: true;
      executionId: string;
      campaignId: string;
      channel: Channel;
      /** The address the message went to, when recorded (for suppressions after a hard bounce). */
      address?: string;
      previousStatus: DeliveryStatus;
      previousReason?: string;
      /** The status after the call: the event's when `changed`, else the previous one. */
      status: DeliveryStatus;
      reason?: string;
      changed: boolean;
    };

export interface DeliveryRepository {
  /**
   * Creates the record on first use and appends `update.event` to its history; the record's
   * `status` and `reason` become the event's, except that a worker status (queued, sent, failed,
   * excluded) never replaces a feedback status (delivered, bounced, opened, clicked): a job re-run
   * after a crash must not undo what a provider reported since. Such a write keeps the status and
   * reason and still appends the event and sets the other fields. The embedded store decides and writes
   * in one statement; the MongoDB adapter reads the status first, so feedback landing between its read
   * and its write can still be overwritten there.
   */
  record(key: DeliveryKey, update: DeliveryUpdate): Promise<Delivery>;
  /**
   * Same as `record` for many deliveries in one write (one transaction / one bulk op). Returns,
   * in entry order, each record's status and reason before its write, and `statusKept` when the
   * write kept them, so callers can count each real status change once. Entries for the same id
   * apply in order, each seeing the one before.
   */
  recordMany(
    entries: ReadonlyArray<{ key: DeliveryKey; update: DeliveryUpdate }>,
  ): Promise<RecordedTransition[]>;
  /**
   * Applies a provider's feedback event (delivered, bounced, opened, clicked) to an existing
   * record. Feedback only moves a record forward along sent < delivered < bounced < opened <
   * clicked: the event is applied (status and reason set to the event's, the event appended to
   * the history, updatedAt set) only when the record's status is one of those five and ranks
   * below the event's status; otherwise nothing is written and `changed` is false. Records in
   * queued, failed or excluded are never changed by feedback. An unknown id is `{found: false}`
   * and creates nothing. The read and the write are one atomic step (two concurrent events for
   * one record cannot both see the same previous status).
   */
  recordFeedback(sandbox: string, id: string, event: DeliveryEvent): Promise<FeedbackOutcome>;
  get(sandbox: string, id: string): Promise<Delivery | null>;
  /** Sorted by recipientIndex; only records with `filter.status` when given. */
  listByExecution(
    sandbox: string,
    executionId: string,
    page?: PageRequest,
    filter?: DeliveryListFilter,
  ): Promise<Page<Delivery>>;
  /** Counts by status and reason, aggregated by the store (used when live counters are gone). */
  countByExecution(sandbox: string, executionId: string): Promise<DeliveryCountsFromStore>;
}
