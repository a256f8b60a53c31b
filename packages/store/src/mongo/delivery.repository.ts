import type { AnyBulkWriteOperation, UpdateQuery } from 'mongoose';
import type { Delivery, DeliveryEvent, DeliveryStatus } from '@herald/contracts';
import type {
  DeliveryCountsFromStore,
  DeliveryKey,
  DeliveryListFilter,
  DeliveryRepository,
  DeliveryUpdate,
  FeedbackOutcome,
  Page,
  PageRequest,
  RecordedTransition,
} from '../ports';
import { keepsStatus } from '../delivery-feedback';
import { toIso } from './dates';
import { fieldsOf, setFieldsOf } from './document-fields';
import { toDeliveryEvent, toDeliveryEventDoc } from './delivery-events';
import { applyFeedback } from './delivery-feedback';
import {
  isDuplicateKeyError,
  isDuplicateKeyWriteError,
  operationIndexOf,
  writeErrorsOf,
} from './duplicate-key';
import type { DeliveryDoc, DeliveryModel } from './delivery.model';
import { cursorAfter, pageLimit, toPage } from './paging';

export function toDelivery(doc: DeliveryDoc): Delivery {
  return {
    id: doc._id,
    ...fieldsOf(doc, [
      'sandbox',
      'executionId',
      'campaignId',
      'campaignVersion',
      'recipientIndex',
      'channel',
      'status',
    ]),
    ...setFieldsOf(doc, ['reason', 'address', 'profileId', 'providerMessageId', 'lastError']),
    attempts: doc.attempts ?? 0,
    history: (doc.history ?? []).map(toDeliveryEvent),
    createdAt: toIso(doc.createdAt),
    updatedAt: toIso(doc.updatedAt),
  };
}

interface DeliveryWrite {
  filter: { _id: string };
  update: UpdateQuery<DeliveryDoc>;
}

/**
 * One upsert that creates the record on first use (key fields via $setOnInsert) and appends
 * the event; `keepStatus` leaves the record's status and reason as they are. The filter is the
 * `_id` alone: when two writers upsert the same new record at once, the server itself retries
 * the loser as an update, which it only does for an equality filter on exactly the unique
 * index's fields (MongoDB ≥ 4.2).
 */
function deliveryWrite(
  key: DeliveryKey,
  change: DeliveryUpdate,
  now: Date,
  keepStatus: boolean,
): DeliveryWrite {
  const { event } = change;
  const set: Partial<DeliveryDoc> = { updatedAt: now };
  if (!keepStatus) set.status = event.status;
  if (!keepStatus && event.reason !== undefined) set.reason = event.reason;
  if (change.address !== undefined) set.address = change.address;
  if (change.profileId !== undefined) set.profileId = change.profileId;
  if (change.providerMessageId !== undefined) set.providerMessageId = change.providerMessageId;
  if (change.attempts !== undefined) set.attempts = change.attempts;
  if (change.lastError !== undefined) set.lastError = change.lastError;

  const setOnInsert: Partial<DeliveryDoc> = {
    sandbox: key.sandbox,
    executionId: key.executionId,
    campaignId: key.campaignId,
    campaignVersion: key.campaignVersion,
    recipientIndex: key.recipientIndex,
    channel: key.channel,
    createdAt: now,
  };
  // One path may not appear in two operators of an update.
  if (change.attempts === undefined) setOnInsert.attempts = 0;

  const update: UpdateQuery<DeliveryDoc> = {
    $setOnInsert: setOnInsert,
    $set: set,
    $push: { history: toDeliveryEventDoc(event) },
  };
  // The reason belongs to the status: an event without one clears the previous one.
  if (!keepStatus && event.reason === undefined) update.$unset = { reason: 1 };
  return { filter: { _id: key.id }, update };
}

type StatusDoc = Pick<DeliveryDoc, '_id' | 'status' | 'reason'>;

interface CountDoc {
  _id: { status: DeliveryStatus; reason?: string | null };
  count: number;
}

function toTransition(previous: Pick<DeliveryDoc, 'status' | 'reason'> | undefined): RecordedTransition {
  if (!previous) return { previousStatus: null };
  return {
    previousStatus: previous.status,
    ...(previous.reason != null ? { previousReason: previous.reason } : {}),
  };
}

/**
 * Each entry's transition from the state before the batch, as the writes will apply them in
 * order: a second entry for the same id sees the status the first one set, or kept.
 */
function transitionsOf(
  entries: ReadonlyArray<{ key: DeliveryKey; update: DeliveryUpdate }>,
  previous: readonly StatusDoc[],
): RecordedTransition[] {
  const current = new Map<string, Pick<DeliveryDoc, 'status' | 'reason'>>(
    previous.map((doc) => [
      doc._id,
      { status: doc.status, ...(doc.reason != null ? { reason: doc.reason } : {}) },
    ]),
  );
  return entries.map(({ key, update }) => {
    const before = current.get(key.id);
    const transition = toTransition(before);
    const { status, reason } = update.event;
    if (keepsStatus(before?.status, status)) return { ...transition, statusKept: true };
    current.set(key.id, { status, ...(reason !== undefined ? { reason } : {}) });
    return transition;
  });
}

function toCounts(groups: readonly CountDoc[]): DeliveryCountsFromStore {
  const counts: DeliveryCountsFromStore = { byStatus: {}, excludedByReason: {}, failedByReason: {} };
  for (const { _id: group, count } of groups) {
    counts.byStatus[group.status] = (counts.byStatus[group.status] ?? 0) + count;
    const byReason =
      group.status === 'excluded'
        ? counts.excludedByReason
        : group.status === 'failed'
          ? counts.failedByReason
          : undefined;
    if (byReason && group.reason != null) byReason[group.reason] = (byReason[group.reason] ?? 0) + count;
  }
  return counts;
}

export class MongoDeliveryRepository implements DeliveryRepository {
  constructor(private readonly deliveries: DeliveryModel) {}

  /**
   * Reads the status, then writes: not atomic, so feedback landing between the two can still be
   * overwritten (see `recordMany`).
   */
  async record(key: DeliveryKey, update: DeliveryUpdate): Promise<Delivery> {
    const previous = await this.deliveries.findOne({ _id: key.id }, { status: 1 }).lean<StatusDoc>().exec();
    const write = deliveryWrite(key, update, new Date(), keepsStatus(previous?.status, update.event.status));
    for (let attempt = 1; ; attempt += 1) {
      try {
        const doc = await this.deliveries
          .findOneAndUpdate(write.filter, write.update, {
            upsert: true,
            returnDocument: 'after',
            setDefaultsOnInsert: false,
          })
          .lean<DeliveryDoc>()
          .exec();
        // An upsert returning the document after the write always returns one.
        if (!doc) throw new Error(`Delivery ${key.id} was not stored.`);
        return toDelivery(doc);
      } catch (error) {
        // Servers older than 4.2 do not retry a lost upsert race themselves; the record
        // exists now, so the same write applies as an update.
        if (!isDuplicateKeyError(error) || attempt > 1) throw error;
      }
    }
  }

  /**
   * Reads the previous statuses, then writes: two steps, not atomic. That is enough for the
   * transitions because one delivery job is processed by one worker at a time. Provider feedback
   * can still land between the two (within milliseconds of the read) and then be overwritten by a
   * worker status; the read is what keeps every feedback status written before it.
   */
  async recordMany(
    entries: ReadonlyArray<{ key: DeliveryKey; update: DeliveryUpdate }>,
  ): Promise<RecordedTransition[]> {
    if (entries.length === 0) return [];
    const ids = [...new Set(entries.map(({ key }) => key.id))];
    const previous = await this.deliveries
      .find({ _id: { $in: ids } }, { status: 1, reason: 1 })
      .lean<StatusDoc[]>()
      .exec();
    const transitions = transitionsOf(entries, previous);
    const now = new Date();
    const writes = entries.map(({ key, update }, index) =>
      deliveryWrite(key, update, now, transitions[index]?.statusKept === true),
    );
    // Ordered when an id repeats, so its events land in the order the transitions assumed.
    const ordered = ids.length < entries.length;
    const failed = await this.bulkUpsert(writes, ordered);
    if (!failed) return transitions;
    // Lost upsert races (see `record`): the records exist now, so the writes apply as updates.
    const retried = await this.bulkUpsert(failed.retry, ordered);
    if (retried) throw retried.error;
    return transitions;
  }

  /**
   * Runs the writes; returns those left to retry when the only refusals were duplicate keys: the
   * refused ones, or, ordered, everything from the first refusal on (an ordered bulk stops there).
   */
  private async bulkUpsert(
    writes: readonly DeliveryWrite[],
    ordered: boolean,
  ): Promise<{ retry: DeliveryWrite[]; error: unknown } | null> {
    const operations: Array<AnyBulkWriteOperation<DeliveryDoc>> = writes.map(({ filter, update }) => ({
      updateOne: { filter, update, upsert: true, setDefaultsOnInsert: false },
    }));
    try {
      // `throwOnValidationError`: unordered, mongoose would otherwise skip a write that fails
      // to cast and resolve as if all were stored.
      await this.deliveries.bulkWrite(operations, { ordered, throwOnValidationError: true });
      return null;
    } catch (error) {
      const writeErrors = writeErrorsOf(error);
      if (writeErrors.length === 0 || !writeErrors.every(isDuplicateKeyWriteError)) throw error;
      const indexes = writeErrors.map(operationIndexOf);
      if (indexes.some((index) => index === undefined || writes[index] === undefined)) throw error;
      const refused = indexes as number[];
      const retry = ordered
        ? writes.slice(Math.min(...refused))
        : refused.map((index) => writes[index] as DeliveryWrite);
      return { retry, error };
    }
  }

  async recordFeedback(sandbox: string, id: string, event: DeliveryEvent): Promise<FeedbackOutcome> {
    return applyFeedback(this.deliveries, sandbox, id, event);
  }

  async get(sandbox: string, id: string): Promise<Delivery | null> {
    const doc = await this.deliveries.findOne({ _id: id, sandbox }).lean<DeliveryDoc>().exec();
    return doc ? toDelivery(doc) : null;
  }

  async listByExecution(
    sandbox: string,
    executionId: string,
    page?: PageRequest,
    filter?: DeliveryListFilter,
  ): Promise<Page<Delivery>> {
    const limit = pageLimit(page);
    const after = cursorAfter(page, 'number');
    const docs = await this.deliveries
      .find({
        sandbox,
        executionId,
        ...(filter?.status !== undefined ? { status: filter.status } : {}),
        ...(after !== undefined ? { recipientIndex: { $gt: after } } : {}),
      })
      .sort({ recipientIndex: 1 })
      .limit(limit + 1)
      .lean<DeliveryDoc[]>()
      .exec();
    return toPage(docs, limit, (doc) => doc.recipientIndex, toDelivery);
  }

  async countByExecution(sandbox: string, executionId: string): Promise<DeliveryCountsFromStore> {
    const groups = await this.deliveries
      .aggregate<CountDoc>([
        { $match: { sandbox, executionId } },
        { $group: { _id: { status: '$status', reason: '$reason' }, count: { $sum: 1 } } },
      ])
      .exec();
    return toCounts(groups);
  }
}
