import type { FeedbackEventType } from '@herald/contracts';
import { newId } from '@herald/contracts';
import type {
  NewWebhookSubscription,
  Page,
  PageRequest,
  WebhookSubscription,
  WebhookSubscriptionPatch,
  WebhookSubscriptionRepository,
  WebhookSubscriptionWithSecrets,
} from '../ports';
import type { Db } from './database';
import { fromJson, setIfPresent, toJson } from './columns';
import { pageQuery, toPage } from './paging';
import { now } from './time';

interface SubscriptionRow {
  sandbox: string;
  id: string;
  url: string;
  events: string;
  description: string | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: string | null;
  enabled: number;
  disabled_reason: string | null;
  failing_since: string | null;
  created_at: string;
  updated_at: string;
}

interface InsertColumns {
  sandbox: string;
  id: string;
  url: string;
  events: string;
  description: string | null;
  secret: string;
  at: string;
}

interface RotateColumns {
  sandbox: string;
  id: string;
  secret: string;
  previousExpiresAt: string;
  at: string;
}

interface PatchColumns {
  sandbox: string;
  id: string;
  url: string | null;
  events: string | null;
  description: string | null;
  enabled: number | null;
  at: string;
}

function toSubscription(row: SubscriptionRow): WebhookSubscription {
  const subscription: WebhookSubscription = {
    id: row.id,
    sandbox: row.sandbox,
    url: row.url,
    events: fromJson<FeedbackEventType[]>(row.events),
    enabled: row.enabled === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  setIfPresent(subscription, 'description', row.description);
  setIfPresent(subscription, 'disabledReason', row.disabled_reason);
  setIfPresent(subscription, 'failingSince', row.failing_since);
  return subscription;
}

function withSecrets(row: SubscriptionRow): WebhookSubscriptionWithSecrets {
  const subscription: WebhookSubscriptionWithSecrets = { ...toSubscription(row), secret: row.secret };
  setIfPresent(subscription, 'previousSecret', row.previous_secret);
  setIfPresent(subscription, 'previousSecretExpiresAt', row.previous_secret_expires_at);
  return subscription;
}

export class EmbeddedWebhookSubscriptionRepository implements WebhookSubscriptionRepository {
  private readonly insert;
  private readonly selectOne;
  private readonly selectPage;
  private readonly selectEnabled;
  private readonly patch;
  private readonly rotate;
  private readonly deleteOne;
  private readonly deleteLog;
  private readonly clearFailing;
  private readonly setFailing;
  private readonly selectFailing;
  private readonly disableOne;

  constructor(private readonly db: Db) {
    this.insert = db.prepare<InsertColumns, SubscriptionRow>(
      `INSERT INTO webhook_subscriptions (sandbox, id, url, events, description, secret, enabled, created_at, updated_at)
       VALUES (@sandbox, @id, @url, @events, @description, @secret, 1, @at, @at) RETURNING *`,
    );
    this.selectOne = db.prepare<[string, string], SubscriptionRow>(
      `SELECT * FROM webhook_subscriptions WHERE sandbox = ? AND id = ?`,
    );
    this.selectPage = db.prepare<[string, string, number], SubscriptionRow>(
      `SELECT * FROM webhook_subscriptions WHERE sandbox = ? AND id > ? ORDER BY id LIMIT ?`,
    );
    this.selectEnabled = db.prepare<[string], SubscriptionRow>(
      `SELECT * FROM webhook_subscriptions WHERE sandbox = ? AND enabled = 1 ORDER BY id`,
    );
    // Re-enabling forgets why it was turned off and how long it had been failing: it starts afresh.
    this.patch = db.prepare<PatchColumns, SubscriptionRow>(
      `UPDATE webhook_subscriptions SET
         url = coalesce(@url, url),
         events = coalesce(@events, events),
         description = coalesce(@description, description),
         enabled = coalesce(@enabled, enabled),
         disabled_reason = CASE WHEN @enabled = 1 THEN NULL ELSE disabled_reason END,
         failing_since = CASE WHEN @enabled = 1 THEN NULL ELSE failing_since END,
         updated_at = @at
       WHERE sandbox = @sandbox AND id = @id RETURNING *`,
    );
    this.rotate = db.prepare<RotateColumns, SubscriptionRow>(
      `UPDATE webhook_subscriptions SET
         previous_secret = secret, previous_secret_expires_at = @previousExpiresAt, secret = @secret,
         updated_at = @at
       WHERE sandbox = @sandbox AND id = @id RETURNING *`,
    );
    this.deleteOne = db.prepare<[string, string]>(
      `DELETE FROM webhook_subscriptions WHERE sandbox = ? AND id = ?`,
    );
    this.deleteLog = db.prepare<[string, string]>(
      `DELETE FROM webhook_deliveries WHERE sandbox = ? AND subscription_id = ?`,
    );
    this.clearFailing = db.prepare<[string, string]>(
      `UPDATE webhook_subscriptions SET failing_since = NULL
       WHERE sandbox = ? AND id = ? AND failing_since IS NOT NULL`,
    );
    this.setFailing = db.prepare<[string, string, string]>(
      `UPDATE webhook_subscriptions SET failing_since = ?
       WHERE sandbox = ? AND id = ? AND failing_since IS NULL`,
    );
    this.selectFailing = db.prepare<[string, string], { failing_since: string | null }>(
      `SELECT failing_since FROM webhook_subscriptions WHERE sandbox = ? AND id = ?`,
    );
    this.disableOne = db.prepare<[string, string, string, string]>(
      `UPDATE webhook_subscriptions SET enabled = 0, disabled_reason = ?, updated_at = ?
       WHERE sandbox = ? AND id = ? AND enabled = 1`,
    );
  }

  async create(input: NewWebhookSubscription): Promise<WebhookSubscriptionWithSecrets> {
    const id = newId();
    const row = this.insert.get({
      sandbox: input.sandbox,
      id,
      url: input.url,
      events: toJson(input.events),
      description: input.description ?? null,
      secret: input.secret,
      at: now(),
    });
    if (!row) throw new Error(`Webhook subscription ${id} was not stored.`);
    return withSecrets(row);
  }

  async get(sandbox: string, id: string): Promise<WebhookSubscription | null> {
    const row = this.selectOne.get(sandbox, id);
    return row ? toSubscription(row) : null;
  }

  async getWithSecrets(sandbox: string, id: string): Promise<WebhookSubscriptionWithSecrets | null> {
    const row = this.selectOne.get(sandbox, id);
    return row ? withSecrets(row) : null;
  }

  async list(sandbox: string, page?: PageRequest): Promise<Page<WebhookSubscription>> {
    const query = pageQuery<[string]>(page, ['']);
    const [afterId] = query.after;
    const rows = this.selectPage.all(sandbox, afterId, query.fetch);
    return toPage(rows, query, toSubscription, (row) => [row.id]);
  }

  async listEnabled(sandbox: string): Promise<WebhookSubscriptionWithSecrets[]> {
    return this.selectEnabled.all(sandbox).map(withSecrets);
  }

  async update(
    sandbox: string,
    id: string,
    patch: WebhookSubscriptionPatch,
  ): Promise<WebhookSubscription | null> {
    const row = this.patch.get({
      sandbox,
      id,
      url: patch.url ?? null,
      events: patch.events === undefined ? null : toJson(patch.events),
      description: patch.description ?? null,
      enabled: patch.enabled === undefined ? null : Number(patch.enabled),
      at: now(),
    });
    return row ? toSubscription(row) : null;
  }

  async rotateSecret(
    sandbox: string,
    id: string,
    secret: string,
    previousExpiresAt: string,
  ): Promise<WebhookSubscriptionWithSecrets | null> {
    const row = this.rotate.get({ sandbox, id, secret, previousExpiresAt, at: now() });
    return row ? withSecrets(row) : null;
  }

  async delete(sandbox: string, id: string): Promise<boolean> {
    return this.db.transaction(() => {
      this.deleteLog.run(sandbox, id);
      return this.deleteOne.run(sandbox, id).changes > 0;
    })();
  }

  async markSucceeded(sandbox: string, id: string): Promise<void> {
    this.clearFailing.run(sandbox, id);
  }

  async markFailing(sandbox: string, id: string, at: string): Promise<string | null> {
    return this.db.transaction(() => {
      this.setFailing.run(at, sandbox, id);
      return this.selectFailing.get(sandbox, id)?.failing_since ?? null;
    })();
  }

  async disable(sandbox: string, id: string, reason: string, at: string): Promise<boolean> {
    return this.disableOne.run(reason, at, sandbox, id).changes > 0;
  }
}
