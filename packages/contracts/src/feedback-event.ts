import type { Channel } from './campaign';

/** What a customer's feedback webhook can subscribe to: a message's fate and its engagement. */
export const FEEDBACK_EVENT_TYPES = [
  'message.sent',
  'message.delivered',
  'message.bounced',
  'message.failed',
  'message.excluded',
  'message.opened',
  'message.clicked',
  'message.unsubscribed',
] as const;

export type FeedbackEventType = (typeof FEEDBACK_EVENT_TYPES)[number];

/**
 * One thing that happened to one delivery, as Herald emits it (worker, API provider webhooks,
 * tracker) for the customers' feedback webhooks. Only campaigns with `enableWebhooks` post it.
 */
export interface FeedbackEvent {
  /**
   * Unique within the sandbox and stable across retries of whatever emits it: it is the
   * `webhook-id` receivers deduplicate on, and emitting the same id twice posts once. Once-per-
   * delivery kinds use the engagement key `<deliveryId>:<kind>`; opens and clicks the hit's id.
   */
  id: string;
  type: FeedbackEventType;
  sandbox: string;
  campaignId: string;
  executionId: string;
  deliveryId: string;
  channel: Channel;
  /** ISO 8601, when it happened. */
  at: string;
  /** Failure, bounce or exclusion reason code (`no-marketing-consent`, `provider-rejected`, …). */
  reason?: string;
  /** The `requestId` of the trigger call that queued the message, when known. */
  requestId?: string;
  /** Clicks: the link's id within the message and its label, if any. */
  linkId?: string;
  label?: string;
  /** Opens and clicks: judged a machine's (privacy proxy, link scanner), as the reports count it apart. */
  machine?: boolean;
}

/** `POST /webhooks/{id}/test`: a signed call with no message behind it. */
export interface WebhookTestEvent {
  id: string;
  type: 'webhook.test';
  sandbox: string;
  /** ISO 8601, when the test was asked for. */
  at: string;
}

/** What one webhook call carries: a feedback event, or a test. */
export type WebhookEvent = FeedbackEvent | WebhookTestEvent;

/** Queue of feedback webhook jobs: events to fan out, and calls to one subscription. */
export const FEEDBACK_WEBHOOK_QUEUE = 'feedback-webhooks';
