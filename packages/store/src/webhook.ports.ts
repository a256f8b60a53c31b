import type { FeedbackEventType, WebhookEvent } from '@herald/contracts';
import type { Page, PageRequest } from './paging.ports';

/**
 * The feedback-webhook ports, part of `ports.ts` (re-exported from there): the customers'
 * webhook subscriptions and the log of what was posted to each.
 */

/** A customer endpoint that receives a sandbox's feedback events, as the API shows it: no secret. */
export interface WebhookSubscription {
  id: string;
  sandbox: string;
  url: string;
  events: FeedbackEventType[];
  description?: string;
  enabled: boolean;
  /** Why Herald turned it off (it kept failing); cleared when it is enabled again. */
  disabledReason?: string;
  /** ISO 8601: the first failure since the last success; absent while deliveries succeed. */
  failingSince?: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * A subscription with its signing secrets, which only the worker (signing) reads after creation.
 * Standard Webhooks secrets: `whsec_` and the base64 of the key.
 */
export interface WebhookSubscriptionWithSecrets extends WebhookSubscription {
  secret: string;
  /** The secret a rotation replaced, still signing beside the new one until `previousSecretExpiresAt`. */
  previousSecret?: string;
  previousSecretExpiresAt?: string;
}

export interface NewWebhookSubscription {
  sandbox: string;
  url: string;
  events: FeedbackEventType[];
  description?: string;
  secret: string;
}

/** What `PATCH /webhooks/{id}` may change; absent fields are kept. */
export interface WebhookSubscriptionPatch {
  url?: string;
  events?: FeedbackEventType[];
  description?: string;
  /** `true` also clears `disabledReason` and `failingSince`. */
  enabled?: boolean;
}

export interface WebhookSubscriptionRepository {
  /** Enabled, with a new UUIDv7 id. */
  create(input: NewWebhookSubscription): Promise<WebhookSubscriptionWithSecrets>;
  get(sandbox: string, id: string): Promise<WebhookSubscription | null>;
  getWithSecrets(sandbox: string, id: string): Promise<WebhookSubscriptionWithSecrets | null>;
  /** Sorted by id (creation order). */
  list(sandbox: string, page?: PageRequest): Promise<Page<WebhookSubscription>>;
  /** Every enabled subscription of the sandbox, with secrets: the worker's fan-out. */
  listEnabled(sandbox: string): Promise<WebhookSubscriptionWithSecrets[]>;
  /** Null when there is no such subscription. */
  update(sandbox: string, id: string, patch: WebhookSubscriptionPatch): Promise<WebhookSubscription | null>;
  /**
   * Makes `secret` the signing secret; the current one keeps signing too until
   * `previousExpiresAt` (a secret an earlier rotation kept is dropped). Null when absent.
   */
  rotateSecret(
    sandbox: string,
    id: string,
    secret: string,
    previousExpiresAt: string,
  ): Promise<WebhookSubscriptionWithSecrets | null>;
  /** Removes the subscription and its delivery log; false when there was none. */
  delete(sandbox: string, id: string): Promise<boolean>;
  /** A call succeeded: clears `failingSince`. */
  markSucceeded(sandbox: string, id: string): Promise<void>;
  /**
   * A call failed at `at`: sets `failingSince` unless already set, and returns it (null when the
   * subscription is gone).
   */
  markFailing(sandbox: string, id: string, at: string): Promise<string | null>;
  /** Turns an enabled subscription off with the reason; false when it was not enabled. */
  disable(sandbox: string, id: string, reason: string, at: string): Promise<boolean>;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

/** Log lines untouched for this long are removed (MongoDB: TTL index; embedded: when the file opens). */
export const WEBHOOK_LOG_RETENTION_DAYS = 30;

/** One event posted (or to be posted) to one subscription: a line of its delivery log. */
export interface WebhookDelivery {
  sandbox: string;
  subscriptionId: string;
  eventId: string;
  /** The event, kept so that a replay posts it again. */
  event: WebhookEvent;
  status: WebhookDeliveryStatus;
  /** Calls made, replays included. */
  attempts: number;
  lastError?: string;
  lastStatusCode?: number;
  /** Of the last call, until its answer's headers (or its failure). */
  responseTimeMs?: number;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookAttempt {
  /** `pending` while retries remain, else `delivered` or `failed`. */
  status: WebhookDeliveryStatus;
  error?: string;
  statusCode?: number;
  responseTimeMs?: number;
  at: string;
  /** No call was made (the subscription was disabled meanwhile): `attempts` stays as it was. */
  skipped?: true;
}

export interface WebhookDeliveryRepository {
  /**
   * Logs the event as pending for the subscription unless the log has it already; returns the
   * entry as stored (the existing one, untouched, when there was one).
   */
  recordQueued(
    sandbox: string,
    subscriptionId: string,
    event: WebhookEvent,
    at: string,
  ): Promise<WebhookDelivery>;
  /** Puts a logged event back to pending (a replay); null when the log has no such event. */
  markReplayed(
    sandbox: string,
    subscriptionId: string,
    eventId: string,
    at: string,
  ): Promise<WebhookDelivery | null>;
  /** Counts one call and records its outcome; null when the log has no such event. */
  recordAttempt(
    sandbox: string,
    subscriptionId: string,
    eventId: string,
    attempt: WebhookAttempt,
  ): Promise<WebhookDelivery | null>;
  get(sandbox: string, subscriptionId: string, eventId: string): Promise<WebhookDelivery | null>;
  /** Newest first (by when the event was first logged). */
  listBySubscription(
    sandbox: string,
    subscriptionId: string,
    page?: PageRequest,
  ): Promise<Page<WebhookDelivery>>;
}
