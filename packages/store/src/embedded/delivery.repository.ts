import {
  FEEDBACK_STATUSES,
  type Channel,
  type Delivery,
  type DeliveryEvent,
  type DeliveryStatus,
} from '@herald/contracts';
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
import type { Db } from './database';
import { fromJson, setIfPresent, toJson } from './columns';
import { prepareFeedback } from './delivery-feedback';
import { pageQuery, toPage } from './paging';
import { daysAgo, now } from './time';

interface DeliveryRow {
  sandbox: string;
  id: string;
  execution_id: string;
  campaign_id: string;
  campaign_version: number;
  recipient_index: number;
  channel: Channel;
  status: DeliveryStatus;
  reason: string | null;
  address: string | null;
  profile_id: string | null;
  provider_message_id: string | null;
  attempts: number;
  last_error: string | null;
  history: string;
  created_at: string;
  updated_at: string;
}

interface RecordColumns {
  sandbox: string;
  id: string;
  executionId: string;
  campaignId: string;
  campaignVersion: number;
  recipientIndex: number;
  channel: Channel;
  status: DeliveryStatus;
  reason: string | null;
  address: string | null;
  profileId: string | null;
  providerMessageId: string | null;
  attempts: number | null;
  lastError: string | null;
  event: string;
  at: string;
}

interface StatusRow {
  status: DeliveryStatus;
  reason: string | null;
}

interface CountRow extends StatusRow {
  count: number;
}

function toTransition(row: StatusRow | undefined, statusKept: boolean): RecordedTransition {
  if (!row) return { previousStatus: null };
  const transition: RecordedTransition = { previousStatus: row.status };
  setIfPresent(transition, 'previousReason', row.reason);
  if (statusKept) transition.statusKept = true;
  return transition;
}

/** The statuses only provider feedback sets, as an SQL list (the rule of `keepsStatus`, in SQL). */
const FEEDBACK_STATUS_LIST = FEEDBACK_STATUSES.map((status) => `'${status}'`).join(', ');

/**
 * The upsert: one statement creates or appends, so the history can never lose an event to a
 * concurrent writer; the key columns are written once and left alone afterwards. The status and
 * reason are kept when a worker status meets a feedback status (see `DeliveryRepository.record`);
 * deciding that in the statement keeps it atomic. Every SET expression reads the row as it was.
 */
function upsertStatement(returning: string): string {
  const keepsStatus = `status IN (${FEEDBACK_STATUS_LIST}) AND excluded.status NOT IN (${FEEDBACK_STATUS_LIST})`;
  return `INSERT INTO deliveries (sandbox, id, execution_id, campaign_id, campaign_version, recipient_index, channel,
                                  status, reason, address, profile_id, provider_message_id, attempts, last_error,
                                  history, created_at, updated_at)
          VALUES (@sandbox, @id, @executionId, @campaignId, @campaignVersion, @recipientIndex, @channel,
                  @status, @reason, @address, @profileId, @providerMessageId, coalesce(@attempts, 0), @lastError,
                  json_array(json(@event)), @at, @at)
          ON CONFLICT (sandbox, id) DO UPDATE SET
            status = CASE WHEN ${keepsStatus} THEN status ELSE excluded.status END,
            reason = CASE WHEN ${keepsStatus} THEN reason ELSE excluded.reason END,
            address = coalesce(excluded.address, address),
            profile_id = coalesce(excluded.profile_id, profile_id),
            provider_message_id = coalesce(excluded.provider_message_id, provider_message_id),
            attempts = coalesce(@attempts, attempts),
            last_error = coalesce(excluded.last_error, last_error),
            history = json_insert(history, '$[#]', json(@event)),
            updated_at = excluded.updated_at
          RETURNING ${returning}`;
}

function toCounts(rows: readonly CountRow[]): DeliveryCountsFromStore {
  const counts: DeliveryCountsFromStore = { byStatus: {}, excludedByReason: {}, failedByReason: {} };
  for (const { status, reason, count } of rows) {
    counts.byStatus[status] = (counts.byStatus[status] ?? 0) + count;
    const byReason =
      status === 'excluded'
        ? counts.excludedByReason
        : status === 'failed'
          ? counts.failedByReason
          : undefined;
    if (byReason && reason !== null) byReason[reason] = (byReason[reason] ?? 0) + count;
  }
  return counts;
}

function toDelivery(row: DeliveryRow): Delivery {
  const delivery: Delivery = {
    id: row.id,
    sandbox: row.sandbox,
    executionId: row.execution_id,
    campaignId: row.campaign_id,
    campaignVersion: row.campaign_version,
    recipientIndex: row.recipient_index,
    channel: row.channel,
    status: row.status,
    attempts: row.attempts,
    history: fromJson<DeliveryEvent[]>(row.history),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  setIfPresent(delivery, 'reason', row.reason);
  setIfPresent(delivery, 'address', row.address);
  setIfPresent(delivery, 'profileId', row.profile_id);
  setIfPresent(delivery, 'providerMessageId', row.provider_message_id);
  setIfPresent(delivery, 'lastError', row.last_error);
  return delivery;
}

function toColumns(key: DeliveryKey, update: DeliveryUpdate): RecordColumns {
  return {
    sandbox: key.sandbox,
    id: key.id,
    executionId: key.executionId,
    campaignId: key.campaignId,
    campaignVersion: key.campaignVersion,
    recipientIndex: key.recipientIndex,
    channel: key.channel,
    status: update.event.status,
    reason: update.event.reason ?? null,
    address: update.address ?? null,
    profileId: update.profileId ?? null,
    providerMessageId: update.providerMessageId ?? null,
    attempts: update.attempts ?? null,
    lastError: update.lastError ?? null,
    event: toJson(update.event),
    at: now(),
  };
}

export class EmbeddedDeliveryRepository implements DeliveryRepository {
  private readonly upsert;
  private readonly upsertReturningStatus;
  private readonly selectOne;
  private readonly selectStatus;
  private readonly selectPage;
  private readonly selectPageWithStatus;
  private readonly countGrouped;
  private readonly deleteOlder;
  private readonly recordBatch;
  private readonly applyFeedback;

  constructor(private readonly db: Db) {
    this.upsert = db.prepare<RecordColumns, DeliveryRow>(upsertStatement('*'));
    // A batch needs only the status written, not each record's whole history back.
    this.upsertReturningStatus = db.prepare<RecordColumns, Pick<StatusRow, 'status'>>(
      upsertStatement('status'),
    );
    this.selectOne = db.prepare<[string, string], DeliveryRow>(
      `SELECT * FROM deliveries WHERE sandbox = ? AND id = ?`,
    );
    this.selectStatus = db.prepare<[string, string], StatusRow>(
      `SELECT status, reason FROM deliveries WHERE sandbox = ? AND id = ?`,
    );
    this.selectPage = db.prepare<[string, string, number, string, number], DeliveryRow>(
      `SELECT * FROM deliveries
       WHERE sandbox = ? AND execution_id = ? AND (recipient_index, id) > (?, ?)
       ORDER BY recipient_index, id LIMIT ?`,
    );
    this.selectPageWithStatus = db.prepare<[string, string, string, number, string, number], DeliveryRow>(
      `SELECT * FROM deliveries
       WHERE sandbox = ? AND execution_id = ? AND status = ? AND (recipient_index, id) > (?, ?)
       ORDER BY recipient_index, id LIMIT ?`,
    );
    this.countGrouped = db.prepare<[string, string], CountRow>(
      `SELECT status, reason, count(*) AS count FROM deliveries
       WHERE sandbox = ? AND execution_id = ? GROUP BY status, reason`,
    );
    this.deleteOlder = db.prepare<[string]>(`DELETE FROM deliveries WHERE created_at < ?`);
    // The previous status is read inside the write transaction, so no other process can change
    // it between the read and the upsert: each transition is seen by exactly one caller.
    this.recordBatch = db.transaction(
      (entries: ReadonlyArray<{ key: DeliveryKey; update: DeliveryUpdate }>): RecordedTransition[] =>
        entries.map(({ key, update }) => {
          const previous = this.selectStatus.get(key.sandbox, key.id);
          const written = this.upsertReturningStatus.get(toColumns(key, update));
          if (!written) throw new Error(`Delivery ${key.id} was not stored.`);
          // The statement wrote another status than the event's only when it kept the stored one.
          return toTransition(previous, written.status !== update.event.status);
        }),
    );
    this.applyFeedback = prepareFeedback(db);
  }

  async record(key: DeliveryKey, update: DeliveryUpdate): Promise<Delivery> {
    const row = this.db.transaction(() => this.upsert.get(toColumns(key, update))).immediate();
    if (!row) throw new Error(`Delivery ${key.id} was not stored.`);
    return toDelivery(row);
  }

  async recordMany(
    entries: ReadonlyArray<{ key: DeliveryKey; update: DeliveryUpdate }>,
  ): Promise<RecordedTransition[]> {
    if (entries.length === 0) return [];
    return this.recordBatch.immediate(entries);
  }

  async recordFeedback(sandbox: string, id: string, event: DeliveryEvent): Promise<FeedbackOutcome> {
    return this.applyFeedback(sandbox, id, event);
  }

  async get(sandbox: string, id: string): Promise<Delivery | null> {
    const row = this.selectOne.get(sandbox, id);
    return row ? toDelivery(row) : null;
  }

  async listByExecution(
    sandbox: string,
    executionId: string,
    page?: PageRequest,
    filter?: DeliveryListFilter,
  ): Promise<Page<Delivery>> {
    const query = pageQuery<[number, string]>(page, [-1, '']);
    const [afterIndex, afterId] = query.after;
    const rows =
      filter?.status === undefined
        ? this.selectPage.all(sandbox, executionId, afterIndex, afterId, query.fetch)
        : this.selectPageWithStatus.all(
            sandbox,
            executionId,
            filter.status,
            afterIndex,
            afterId,
            query.fetch,
          );
    return toPage(rows, query, toDelivery, (row) => [row.recipient_index, row.id]);
  }

  async countByExecution(sandbox: string, executionId: string): Promise<DeliveryCountsFromStore> {
    return toCounts(this.countGrouped.all(sandbox, executionId));
  }

  /** Removes deliveries created more than `days` ago; returns how many. */
  pruneOlderThan(days: number): number {
    return this.deleteOlder.run(daysAgo(days)).changes;
  }
}
