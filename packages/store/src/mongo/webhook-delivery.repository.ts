import type { WebhookEvent } from '@herald/contracts';
import { ValidationError } from '@herald/errors';
import type { Page, PageRequest, WebhookAttempt, WebhookDelivery, WebhookDeliveryRepository } from '../ports';
import { toDate, toIso } from './dates';
import { isDuplicateKeyError } from './duplicate-key';
import { pageLimit } from './paging';
import type { WebhookDeliveryDoc, WebhookDeliveryModel } from './webhook.model';

function toDelivery(doc: WebhookDeliveryDoc): WebhookDelivery {
  return {
    sandbox: doc.sandbox,
    subscriptionId: doc.subscriptionId,
    eventId: doc.eventId,
    event: JSON.parse(doc.event) as WebhookEvent,
    status: doc.status,
    attempts: doc.attempts,
    ...(doc.lastError != null ? { lastError: doc.lastError } : {}),
    ...(doc.lastStatusCode != null ? { lastStatusCode: doc.lastStatusCode } : {}),
    ...(doc.responseTimeMs != null ? { responseTimeMs: doc.responseTimeMs } : {}),
    createdAt: toIso(doc.createdAt),
    updatedAt: toIso(doc.updatedAt),
  };
}

/** The log is listed newest first by (createdAt, eventId); its cursor holds both. */
function encodeLogCursor(doc: WebhookDeliveryDoc): string {
  return Buffer.from(JSON.stringify([toIso(doc.createdAt), doc.eventId]), 'utf8').toString('base64url');
}

function decodeLogCursor(cursor: string): { createdAt: Date; eventId: string } {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (Array.isArray(key) && key.length === 2 && typeof key[0] === 'string' && typeof key[1] === 'string') {
    const createdAt = new Date(key[0]);
    if (!Number.isNaN(createdAt.getTime())) return { createdAt, eventId: key[1] };
  }
  throw new ValidationError('invalid-cursor', 'The cursor is not one this list returned.', [
    { path: '/cursor', code: 'invalid-cursor', message: 'Use the nextCursor of a previous page.' },
  ]);
}

export class MongoWebhookDeliveryRepository implements WebhookDeliveryRepository {
  constructor(private readonly deliveries: WebhookDeliveryModel) {}

  async recordQueued(
    sandbox: string,
    subscriptionId: string,
    event: WebhookEvent,
    at: string,
  ): Promise<WebhookDelivery> {
    const filter = { sandbox, subscriptionId, eventId: event.id };
    const when = toDate(at, '/at');
    for (let attempt = 1; ; attempt += 1) {
      try {
        // $setOnInsert: an event already logged keeps its entry untouched.
        const doc = await this.deliveries
          .findOneAndUpdate(
            filter,
            {
              $setOnInsert: {
                event: JSON.stringify(event),
                status: 'pending',
                attempts: 0,
                createdAt: when,
                updatedAt: when,
              },
            },
            { upsert: true, returnDocument: 'after', setDefaultsOnInsert: false },
          )
          .lean<WebhookDeliveryDoc>()
          .exec();
        if (!doc) throw new Error(`Webhook delivery of ${event.id} was not logged.`);
        return toDelivery(doc);
      } catch (error) {
        // The filter is exactly the unique key: MongoDB ≥ 4.2 retries a lost upsert race itself;
        // older servers report E11000, and the entry exists by then.
        if (!isDuplicateKeyError(error) || attempt > 1) throw error;
      }
    }
  }

  async markReplayed(
    sandbox: string,
    subscriptionId: string,
    eventId: string,
    at: string,
  ): Promise<WebhookDelivery | null> {
    const doc = await this.deliveries
      .findOneAndUpdate(
        { sandbox, subscriptionId, eventId },
        { $set: { status: 'pending', updatedAt: toDate(at, '/at') } },
        { returnDocument: 'after' },
      )
      .lean<WebhookDeliveryDoc>()
      .exec();
    return doc ? toDelivery(doc) : null;
  }

  async recordAttempt(
    sandbox: string,
    subscriptionId: string,
    eventId: string,
    attempt: WebhookAttempt,
  ): Promise<WebhookDelivery | null> {
    const set: Partial<WebhookDeliveryDoc> = { status: attempt.status, updatedAt: toDate(attempt.at, '/at') };
    const unset: Record<string, 1> = {};
    // The last call's error, code and time replace the previous call's, even when absent.
    if (attempt.error !== undefined) set.lastError = attempt.error;
    else unset.lastError = 1;
    if (attempt.statusCode !== undefined) set.lastStatusCode = attempt.statusCode;
    else unset.lastStatusCode = 1;
    if (attempt.responseTimeMs !== undefined) set.responseTimeMs = attempt.responseTimeMs;
    else unset.responseTimeMs = 1;
    const doc = await this.deliveries
      .findOneAndUpdate(
        { sandbox, subscriptionId, eventId },
        {
          $set: set,
          $inc: { attempts: attempt.skipped ? 0 : 1 },
          ...(Object.keys(unset).length > 0 ? { $unset: unset } : {}),
        },
        { returnDocument: 'after' },
      )
      .lean<WebhookDeliveryDoc>()
      .exec();
    return doc ? toDelivery(doc) : null;
  }

  async get(sandbox: string, subscriptionId: string, eventId: string): Promise<WebhookDelivery | null> {
    const doc = await this.deliveries
      .findOne({ sandbox, subscriptionId, eventId })
      .lean<WebhookDeliveryDoc>()
      .exec();
    return doc ? toDelivery(doc) : null;
  }

  async listBySubscription(
    sandbox: string,
    subscriptionId: string,
    page?: PageRequest,
  ): Promise<Page<WebhookDelivery>> {
    const limit = pageLimit(page);
    const after = page?.cursor ? decodeLogCursor(page.cursor) : undefined;
    const docs = await this.deliveries
      .find({
        sandbox,
        subscriptionId,
        ...(after
          ? {
              $or: [
                { createdAt: { $lt: after.createdAt } },
                { createdAt: after.createdAt, eventId: { $lt: after.eventId } },
              ],
            }
          : {}),
      })
      .sort({ createdAt: -1, eventId: -1 })
      .limit(limit + 1)
      .lean<WebhookDeliveryDoc[]>()
      .exec();
    const pageDocs = docs.slice(0, limit);
    const last = pageDocs[pageDocs.length - 1];
    return {
      items: pageDocs.map(toDelivery),
      nextCursor: docs.length > limit && last !== undefined ? encodeLogCursor(last) : null,
    };
  }
}
