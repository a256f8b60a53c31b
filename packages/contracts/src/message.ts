import type { PushUrgency } from './campaign';

export interface EmailAddress {
  address: string;
  name?: string;
}

export interface EmailMessage {
  channel: 'email';
  /** Delivery record id: adapters use it to make a re-send after a crash idempotent where they can. */
  deliveryId: string;
  executionId: string;
  /** The delivery's sandbox: with the delivery id, what a provider's feedback names it by. */
  sandbox: string;
  from: EmailAddress;
  replyTo?: string;
  to: string;
  subject: string;
  html?: string;
  text?: string;
}

export interface SmsMessage {
  channel: 'sms';
  deliveryId: string;
  executionId: string;
  sandbox: string;
  /** Sender id or E.164 number (the campaign's SMS sender). */
  from: string;
  /** E.164 number. */
  to: string;
  body: string;
}

/** A Web Push subscription as the browser's PushManager gives it. */
export interface PushTarget {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** What the service worker receives (the JSON encrypted into the push message). */
export interface PushPayload {
  title: string;
  body: string;
  url?: string;
  icon?: string;
  data?: Record<string, string>;
}

export interface PushMessage {
  channel: 'push';
  deliveryId: string;
  executionId: string;
  sandbox: string;
  subscription: PushTarget;
  payload: PushPayload;
  /** Seconds the push service keeps an undelivered message (RFC 8030 TTL). */
  ttlSeconds?: number;
  urgency?: PushUrgency;
}

/** What the domain builds and a channel adapter sends. */
export type OutboundMessage = EmailMessage | SmsMessage | PushMessage;
