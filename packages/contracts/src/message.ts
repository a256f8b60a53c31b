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
  /**
   * Extra headers, e.g. `List-Unsubscribe` and `List-Unsubscribe-Post` (RFC 8058) of marketing
   * e-mail. Names only from EMAIL_EXTRA_HEADER_NAMES, values without line breaks: every e-mail
   * adapter refuses anything else (assertEmailExtraHeadersSafe) before sending.
   */
  headers?: Record<string, string>;
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

/** Platforms of a mobile device token: Firebase Cloud Messaging, or APNs (production or sandbox). */
export const MOBILE_PUSH_PLATFORMS = ['fcm', 'apns', 'apnsSandbox'] as const;
export type MobilePushPlatform = (typeof MOBILE_PUSH_PLATFORMS)[number];

/** One app install on one device: what AJO's `channelData.pushInfo` names. */
export interface DeviceTarget {
  platform: MobilePushPlatform;
  /** The app: the FCM app id or the iOS bundle id (APNs sends it as `apns-topic`). */
  appId: string;
  token: string;
}

/** A notification to one mobile device through FCM or APNs. */
export interface MobilePushMessage {
  channel: 'push';
  deliveryId: string;
  executionId: string;
  sandbox: string;
  device: DeviceTarget;
  payload: PushPayload;
  /** Seconds the provider keeps an undelivered message. */
  ttlSeconds?: number;
  /** `high` maps to APNs priority 10 and FCM's HIGH; otherwise normal priority. */
  urgency?: PushUrgency;
}

/** What the domain builds and a channel adapter sends. */
export type OutboundMessage = EmailMessage | SmsMessage | PushMessage | MobilePushMessage;
