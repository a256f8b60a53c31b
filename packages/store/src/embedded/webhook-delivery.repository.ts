import type { WebhookEvent } from '@herald/contracts';
import type {
  Page,
  PageRequest,
  WebhookAttempt,
  WebhookDelivery,
  WebhookDeliveryRepository,
  WebhookDeliveryStatus,
} from '../ports';
import type { Db } from './database';
import { fromJson, setIfPresent, toJson } from './columns';
import { pageQuery, toPage } from './paging';
import { daysAgo } from './time';

interface DeliveryLogRow {
  sandbox: string;
  subscription_id: string;
  event_id: string;
  event: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  last_error: string | null;
  last_status_code: number | null;
  response_time_ms: number | null;
  created_at: string;
  updated_at: string;
}

interface QueuedColumns {
  sandbox: string;
  subscriptionId: string;
  eventId: string;
  event: string;
  at: string;
}

interface AttemptColumns {
  sandbox: string;
  subscriptionId: string;
  eventId: string;
  status: WebhookDeliveryStatus;
  error: string | null;
  statusCode: number | null;
  responseTimeMs: number | null;
  calls: number;
  at: string;
}

/** Sorts after every ISO timestamp: the key the first page of a newest-first listing starts after. */
const AFTER_EVERY_TIME = '~';

function toDelivery(row: DeliveryLogRow): WebhookDelivery {
  const delivery: WebhookDelivery = {
    sandbox: row.sandbox,
    subscriptionId: row.subscription_id,
    eventId: row.event_id,
    event: fromJson<WebhookEvent>(row.event),
    status: row.status,
    attempts: row.attempts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  setIfPresent(delivery, 'lastError', row.last_error);
  setIfPresent(delivery, 'lastStatusCode', row.last_status_code);
  setIfPresent(delivery, 'responseTimeMs', row.response_time_ms);
  return delivery;
}

export class EmbeddedWebhookDeliveryRepository implements WebhookDeliveryRepository {
  private readonly insertIfMissing;
  private readonly selectOne;
  private readonly replay;
  private readonly attempt;
  private readonly selectPage;
  private readonly deleteOlder;

  constructor(private readonly db: Db) {
    this.insertIfMissing = db.prepare<QueuedColumns>(
      `INSERT INTO webhook_deliveries (sandbox, subscription_id, event_id, event, status, attempts, created_at, updated_at)
       VALUES (@sandbox, @subscriptionId, @eventId, @event, 'pending', 0, @at, @at)
       ON CONFLICT (sandbox, subscription_id, event_id) DO NOTHING`,
    );
    this.selectOne = db.prepare<[string, string, string], DeliveryLogRow>(
      `SELECT * FROM webhook_deliveries WHERE sandbox = ? AND subscription_id = ? AND event_id = ?`,
    );
    this.replay = db.prepare<[string, string, string, string], DeliveryLogRow>(
      `UPDATE webhook_deliveries SET status = 'pending', updated_at = ?
       WHERE sandbox = ? AND subscription_id = ? AND event_id = ? RETURNING *`,
    );
    // The last call's error, code and time replace the previous call's, even when absent.
    this.attempt = db.prepare<AttemptColumns, DeliveryLogRow>(
      `UPDATE webhook_deliveries SET
         status = @status, attempts = attempts + @calls, last_error = @error,
         last_status_code = @statusCode, response_time_ms = @responseTimeMs, updated_at = @at
       WHERE sandbox = @sandbox AND subscription_id = @subscriptionId AND event_id = @eventId RETURNING *`,
    );
    this.selectPage = db.prepare<[string, string, string, string, number], DeliveryLogRow>(
      `SELECT * FROM webhook_deliveries
       WHERE sandbox = ? AND subscription_id = ? AND (created_at, event_id) < (?, ?)
       ORDER BY created_at DESC, event_id DESC LIMIT ?`,
    );
    this.deleteOlder = db.prepare<[string]>(`DELETE FROM webhook_deliveries WHERE updated_at < ?`);
  }

  /** SQLite has no TTL index: each process prunes the log when it opens the file. */
  pruneOlderThan(days: number): void {
    this.deleteOlder.run(daysAgo(days));
  }

  async recordQueued(
    sandbox: string,
    subscriptionId: string,
    event: WebhookEvent,
    at: string,
  ): Promise<WebhookDelivery> {
    const row = this.db.transaction(() => {
      this.insertIfMissing.run({ sandbox, subscriptionId, eventId: event.id, event: toJson(event), at });
      return this.selectOne.get(sandbox, subscriptionId, event.id);
    })();
    if (!row) throw new Error(`Webhook delivery of ${event.id} was not logged.`);
    return toDelivery(row);
  }

  async markReplayed(
    sandbox: string,
    subscriptionId: string,
    eventId: string,
    at: string,
  ): Promise<WebhookDelivery | null> {
    const row = this.replay.get(at, sandbox, subscriptionId, eventId);
    return row ? toDelivery(row) : null;
  }

  async recordAttempt(
    sandbox: string,
    subscriptionId: string,
    eventId: string,
    attempt: WebhookAttempt,
  ): Promise<WebhookDelivery | null> {
    const row = this.attempt.get({
      sandbox,
      subscriptionId,
      eventId,
      status: attempt.status,
      error: attempt.error ?? null,
      statusCode: attempt.statusCode ?? null,
      responseTimeMs: attempt.responseTimeMs ?? null,
      calls: attempt.skipped ? 0 : 1,
      at: attempt.at,
    });
    return row ? toDelivery(row) : null;
  }

  async get(sandbox: string, subscriptionId: string, eventId: string): Promise<WebhookDelivery | null> {
    const row = this.selectOne.get(sandbox, subscriptionId, eventId);
    return row ? toDelivery(row) : null;
  }

  async listBySubscription(
    sandbox: string,
    subscriptionId: string,
    page?: PageRequest,
  ): Promise<Page<WebhookDelivery>> {
    const query = pageQuery<[string, string]>(page, [AFTER_EVERY_TIME, '']);
    const [createdAt, eventId] = query.after;
    const rows = this.selectPage.all(sandbox, subscriptionId, createdAt, eventId, query.fetch);
    return toPage(rows, query, toDelivery, (row) => [row.created_at, row.event_id]);
  }
}
