import { randomBytes } from 'node:crypto';
import { isPrivateHost } from '@herald/channels';
import { newId, type WebhookTestEvent } from '@herald/contracts';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from '@herald/errors';
import { webhookCallJob, type FeedbackWebhookQueue } from '@herald/queues';
import type {
  Page,
  WebhookDelivery,
  WebhookDeliveryRepository,
  WebhookSubscription,
  WebhookSubscriptionRepository,
  WebhookSubscriptionWithSecrets,
} from '@herald/store';
import { pageRequestOf } from '../http/page-query';
import { queueUnavailable } from '../triggers/queue-unavailable';
import { createAjv, toFieldErrors } from '../validation/ajv';
import {
  newWebhookSchema,
  webhookListQuerySchema,
  webhookPatchSchema,
  type NewWebhookBody,
  type WebhookListQuery,
  type WebhookPatchBody,
} from './feedback-webhook.schema';

/**
 * After a rotation the replaced secret keeps signing, beside the new one, for this long: every
 * call carries both signatures, so receivers can switch secrets whenever they like within it.
 */
export const SECRET_OVERLAP_MS = 24 * 3600 * 1000;

/** A subscription as its creation or rotation answers it: with the secret, this once. */
export type WebhookWithSecret = WebhookSubscription & { secret: string };

export interface FeedbackWebhookServiceDeps {
  subscriptions: WebhookSubscriptionRepository;
  deliveries: WebhookDeliveryRepository;
  queue: FeedbackWebhookQueue;
  /** `ALLOW_PRIVATE_URLS`: `http` and private hosts accepted (development and tests). */
  allowPrivateUrls: boolean;
  now?: () => number;
}

/** Standard Webhooks secret: `whsec_` and the base64 of 32 random bytes. */
function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The customers' feedback webhook subscriptions of a sandbox, their delivery logs and replays. */
export class FeedbackWebhookService {
  private readonly validateNew;
  private readonly validatePatch;
  private readonly validateListQuery;
  private readonly now: () => number;

  constructor(private readonly deps: FeedbackWebhookServiceDeps) {
    const ajv = createAjv();
    this.validateNew = ajv.compile<NewWebhookBody>(newWebhookSchema);
    this.validatePatch = ajv.compile<WebhookPatchBody>(webhookPatchSchema);
    this.validateListQuery = ajv.compile<WebhookListQuery>(webhookListQuerySchema);
    this.now = deps.now ?? Date.now;
  }

  async create(sandbox: string, body: unknown): Promise<WebhookWithSecret> {
    if (!this.validateNew(body)) {
      throw new ValidationError(
        'invalid-webhook',
        'The webhook subscription is invalid.',
        toFieldErrors(this.validateNew.errors),
      );
    }
    this.assertUrlAllowed(body.url);
    const created = await this.deps.subscriptions.create({
      sandbox,
      url: body.url,
      events: body.events,
      ...(body.description === undefined ? {} : { description: body.description }),
      secret: newSecret(),
    });
    return shown(created);
  }

  async list(sandbox: string, query: unknown): Promise<Page<WebhookSubscription>> {
    return this.deps.subscriptions.list(sandbox, pageRequestOf(this.listQuery(query)));
  }

  async get(sandbox: string, id: string): Promise<WebhookSubscription> {
    const subscription = await this.deps.subscriptions.get(sandbox, id);
    if (!subscription) throw notFound();
    return subscription;
  }

  async update(sandbox: string, id: string, body: unknown): Promise<WebhookSubscription> {
    if (!this.validatePatch(body)) {
      throw new ValidationError(
        'invalid-webhook',
        'The webhook subscription change is invalid.',
        toFieldErrors(this.validatePatch.errors),
      );
    }
    if (body.url !== undefined) this.assertUrlAllowed(body.url);
    const updated = await this.deps.subscriptions.update(sandbox, id, body);
    if (!updated) throw notFound();
    return updated;
  }

  /** A new secret, shown once; the old one keeps signing too for `SECRET_OVERLAP_MS`. */
  async rotateSecret(
    sandbox: string,
    id: string,
  ): Promise<WebhookWithSecret & { previousSecretExpiresAt: string }> {
    const previousSecretExpiresAt = new Date(this.now() + SECRET_OVERLAP_MS).toISOString();
    const rotated = await this.deps.subscriptions.rotateSecret(
      sandbox,
      id,
      newSecret(),
      previousSecretExpiresAt,
    );
    if (!rotated) throw notFound();
    return { ...shown(rotated), previousSecretExpiresAt };
  }

  async delete(sandbox: string, id: string): Promise<void> {
    if (!(await this.deps.subscriptions.delete(sandbox, id))) throw notFound();
  }

  /** Queues a signed `webhook.test` call, even to a disabled subscription; it shows in the log. */
  async sendTest(sandbox: string, id: string): Promise<WebhookDelivery> {
    await this.get(sandbox, id);
    const now = this.now();
    const event: WebhookTestEvent = {
      id: `test-${newId()}`,
      type: 'webhook.test',
      sandbox,
      at: new Date(now).toISOString(),
    };
    const logged = await this.deps.deliveries.recordQueued(sandbox, id, event, event.at);
    await this.add(webhookCallJob({ sandbox, subscriptionId: id, event, now, manual: true }));
    return logged;
  }

  async listDeliveries(sandbox: string, id: string, query: unknown): Promise<Page<WebhookDelivery>> {
    const page = pageRequestOf(this.listQuery(query));
    await this.get(sandbox, id);
    return this.deps.deliveries.listBySubscription(sandbox, id, page);
  }

  /** Posts a logged event again, as a new call with its own 24 h of retries. */
  async replay(sandbox: string, id: string, eventId: string): Promise<WebhookDelivery> {
    await this.get(sandbox, id);
    const logged = await this.deps.deliveries.get(sandbox, id, eventId);
    if (!logged) {
      throw new NotFoundError(
        'webhook-delivery-not-found',
        `The log of webhook ${id} has no event ${eventId}.`,
      );
    }
    // A call still queued or retrying would race the replay: let it finish first.
    if (logged.status === 'pending') {
      throw new ConflictError(
        'webhook-delivery-pending',
        `Event ${eventId} is still queued or being retried.`,
      );
    }
    const now = this.now();
    const replayed = await this.deps.deliveries.markReplayed(
      sandbox,
      id,
      eventId,
      new Date(now).toISOString(),
    );
    if (!replayed) throw notFound();
    await this.add(
      webhookCallJob({
        sandbox,
        subscriptionId: id,
        event: logged.event,
        now,
        manual: true,
        replay: logged.attempts,
      }),
    );
    return replayed;
  }

  /**
   * Adds a call job for a log line just set to pending. When Redis refuses it, the line is marked
   * failed, so it shows what happened and can be replayed rather than stay pending for ever.
   */
  private async add(job: ReturnType<typeof webhookCallJob>): Promise<void> {
    try {
      await this.deps.queue.add(job.name, job.data, job.opts);
    } catch (error) {
      const { sandbox, subscriptionId, event } = job.data;
      await this.deps.deliveries
        .recordAttempt(sandbox, subscriptionId, event.id, {
          status: 'failed',
          error: 'not queued: Redis was unavailable',
          at: new Date(this.now()).toISOString(),
          skipped: true,
        })
        // The caller gets the 503 either way; a store failure here must not replace it.
        .catch(() => undefined);
      throw queueUnavailable(error);
    }
  }

  private listQuery(query: unknown): WebhookListQuery {
    if (!this.validateListQuery(query)) {
      throw new ValidationError(
        'invalid-query',
        'The query is invalid.',
        toFieldErrors(this.validateListQuery.errors),
      );
    }
    return query;
  }

  /**
   * `https` on a host that is not literally loopback or private; a name that resolves to such an
   * address is refused by the worker when it connects.
   */
  private assertUrlAllowed(target: string): void {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      throw new ValidationError('invalid-webhook', 'The webhook URL is not a URL.', [
        { path: '/url', code: 'format', message: 'must be an absolute URL' },
      ]);
    }
    const problem = urlProblem(url, this.deps.allowPrivateUrls);
    if (problem) {
      throw new ValidationError('webhook-url-not-allowed', `The webhook URL ${problem.message}.`, [
        { path: '/url', ...problem },
      ]);
    }
  }
}

function urlProblem(url: URL, allowPrivateUrls: boolean): Pick<FieldError, 'code' | 'message'> | undefined {
  if (allowPrivateUrls) {
    return url.protocol === 'https:' || url.protocol === 'http:'
      ? undefined
      : { code: 'https-required', message: 'must be an http(s) URL' };
  }
  if (url.protocol !== 'https:') return { code: 'https-required', message: 'must be an https URL' };
  if (isPrivateHost(url.hostname)) {
    return { code: 'private-address', message: 'must not point at a loopback, private or reserved address' };
  }
  return undefined;
}

/** What the API shows of a subscription, with its current secret; a rotated-out one never. */
function shown(subscription: WebhookSubscriptionWithSecrets): WebhookWithSecret {
  const {
    id,
    sandbox,
    url,
    events,
    description,
    enabled,
    disabledReason,
    failingSince,
    createdAt,
    updatedAt,
  } = subscription;
  return {
    id,
    sandbox,
    url,
    events,
    ...(description === undefined ? {} : { description }),
    enabled,
    ...(disabledReason === undefined ? {} : { disabledReason }),
    ...(failingSince === undefined ? {} : { failingSince }),
    createdAt,
    updatedAt,
    secret: subscription.secret,
  };
}

function notFound(): NotFoundError {
  return new NotFoundError('webhook-not-found', 'No webhook subscription with this id in the sandbox.');
}
