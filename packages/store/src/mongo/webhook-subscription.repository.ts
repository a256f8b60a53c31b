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
import { toDate, toIso } from './dates';
import { cursorAfter, pageLimit, toPage } from './paging';
import type { WebhookDeliveryModel, WebhookSubscriptionDoc, WebhookSubscriptionModel } from './webhook.model';

function toSubscription(doc: WebhookSubscriptionDoc): WebhookSubscription {
  return {
    id: doc.id,
    sandbox: doc.sandbox,
    url: doc.url,
    events: [...doc.events],
    ...(doc.description != null ? { description: doc.description } : {}),
    enabled: doc.enabled,
    ...(doc.disabledReason != null ? { disabledReason: doc.disabledReason } : {}),
    ...(doc.failingSince != null ? { failingSince: toIso(doc.failingSince) } : {}),
    createdAt: toIso(doc.createdAt),
    updatedAt: toIso(doc.updatedAt),
  };
}

function withSecrets(doc: WebhookSubscriptionDoc): WebhookSubscriptionWithSecrets {
  return {
    ...toSubscription(doc),
    secret: doc.secret,
    ...(doc.previousSecret != null ? { previousSecret: doc.previousSecret } : {}),
    ...(doc.previousSecretExpiresAt != null
      ? { previousSecretExpiresAt: toIso(doc.previousSecretExpiresAt) }
      : {}),
  };
}

export class MongoWebhookSubscriptionRepository implements WebhookSubscriptionRepository {
  constructor(
    private readonly subscriptions: WebhookSubscriptionModel,
    private readonly deliveries: WebhookDeliveryModel,
  ) {}

  async create(input: NewWebhookSubscription): Promise<WebhookSubscriptionWithSecrets> {
    const now = new Date();
    const doc: WebhookSubscriptionDoc = {
      id: newId(),
      sandbox: input.sandbox,
      url: input.url,
      events: [...input.events],
      ...(input.description !== undefined ? { description: input.description } : {}),
      secret: input.secret,
      enabled: true,
      createdAt: now,
      updatedAt: now,
    };
    await this.subscriptions.insertOne(doc);
    return withSecrets(doc);
  }

  async get(sandbox: string, id: string): Promise<WebhookSubscription | null> {
    const doc = await this.find(sandbox, id);
    return doc ? toSubscription(doc) : null;
  }

  async getWithSecrets(sandbox: string, id: string): Promise<WebhookSubscriptionWithSecrets | null> {
    const doc = await this.find(sandbox, id);
    return doc ? withSecrets(doc) : null;
  }

  async list(sandbox: string, page?: PageRequest): Promise<Page<WebhookSubscription>> {
    const limit = pageLimit(page);
    const after = cursorAfter(page, 'string');
    const docs = await this.subscriptions
      .find({ sandbox, ...(after !== undefined ? { id: { $gt: after } } : {}) })
      .sort({ id: 1 })
      .limit(limit + 1)
      .lean<WebhookSubscriptionDoc[]>()
      .exec();
    return toPage(docs, limit, (doc) => doc.id, toSubscription);
  }

  async listEnabled(sandbox: string): Promise<WebhookSubscriptionWithSecrets[]> {
    const docs = await this.subscriptions
      .find({ sandbox, enabled: true })
      .sort({ id: 1 })
      .lean<WebhookSubscriptionDoc[]>()
      .exec();
    return docs.map(withSecrets);
  }

  async update(
    sandbox: string,
    id: string,
    patch: WebhookSubscriptionPatch,
  ): Promise<WebhookSubscription | null> {
    const set: Partial<WebhookSubscriptionDoc> = { updatedAt: new Date() };
    if (patch.url !== undefined) set.url = patch.url;
    if (patch.events !== undefined) set.events = [...patch.events];
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.enabled !== undefined) set.enabled = patch.enabled;
    // Re-enabling forgets why it was turned off and how long it had been failing: it starts afresh.
    const unset = patch.enabled === true ? { disabledReason: 1, failingSince: 1 } : undefined;
    const doc = await this.subscriptions
      .findOneAndUpdate(
        { sandbox, id },
        { $set: set, ...(unset ? { $unset: unset } : {}) },
        { returnDocument: 'after' },
      )
      .lean<WebhookSubscriptionDoc>()
      .exec();
    return doc ? toSubscription(doc) : null;
  }

  async rotateSecret(
    sandbox: string,
    id: string,
    secret: string,
    previousExpiresAt: string,
  ): Promise<WebhookSubscriptionWithSecrets | null> {
    // A pipeline update, so the current secret moves to previousSecret in the same atomic write.
    const doc = await this.subscriptions
      .findOneAndUpdate(
        { sandbox, id },
        [
          {
            $set: {
              previousSecret: '$secret',
              previousSecretExpiresAt: toDate(previousExpiresAt, '/previousSecretExpiresAt'),
              secret: { $literal: secret },
              updatedAt: new Date(),
            },
          },
        ],
        { returnDocument: 'after', updatePipeline: true },
      )
      .lean<WebhookSubscriptionDoc>()
      .exec();
    return doc ? withSecrets(doc) : null;
  }

  async delete(sandbox: string, id: string): Promise<boolean> {
    const { deletedCount } = await this.subscriptions.deleteOne({ sandbox, id }).exec();
    // The log goes too, even when the subscription was already gone (a delete that died halfway).
    await this.deliveries.deleteMany({ sandbox, subscriptionId: id }).exec();
    return deletedCount === 1;
  }

  async markSucceeded(sandbox: string, id: string): Promise<void> {
    await this.subscriptions
      .updateOne({ sandbox, id, failingSince: { $exists: true } }, { $unset: { failingSince: 1 } })
      .exec();
  }

  async markFailing(sandbox: string, id: string, at: string): Promise<string | null> {
    await this.subscriptions
      .updateOne(
        { sandbox, id, failingSince: { $exists: false } },
        { $set: { failingSince: toDate(at, '/at') } },
      )
      .exec();
    const doc = await this.find(sandbox, id);
    return doc?.failingSince != null ? toIso(doc.failingSince) : null;
  }

  async disable(sandbox: string, id: string, reason: string, at: string): Promise<boolean> {
    const { modifiedCount } = await this.subscriptions
      .updateOne(
        { sandbox, id, enabled: true },
        { $set: { enabled: false, disabledReason: reason, updatedAt: toDate(at, '/at') } },
      )
      .exec();
    return modifiedCount === 1;
  }

  private find(sandbox: string, id: string): Promise<WebhookSubscriptionDoc | null> {
    return this.subscriptions.findOne({ sandbox, id }).lean<WebhookSubscriptionDoc>().exec();
  }
}
