import type { Channel } from './campaign';

export type DeliveryStatus =
  'queued' | 'sent' | 'failed' | 'excluded' | 'delivered' | 'bounced' | 'opened' | 'clicked';

const STATUS_SET: Record<DeliveryStatus, true> = {
  queued: true,
  sent: true,
  failed: true,
  excluded: true,
  delivered: true,
  bounced: true,
  opened: true,
  clicked: true,
};

/** Every delivery status, once (a status added to the type must be added to the set above). */
export const DELIVERY_STATUSES = Object.keys(STATUS_SET) as readonly DeliveryStatus[];

/** The statuses only provider feedback sets: how a sent message fared afterwards. */
export const FEEDBACK_STATUSES: readonly DeliveryStatus[] = Object.freeze([
  'delivered',
  'bounced',
  'opened',
  'clicked',
]);

/**
 * The statuses Herald's own pipeline sets (queued, sent, failed, excluded): each settles a
 * recipient, or (`queued`, on a replay) unsettles one.
 */
export const OUTCOME_STATUSES: readonly DeliveryStatus[] = Object.freeze(
  DELIVERY_STATUSES.filter((status) => !FEEDBACK_STATUSES.includes(status)),
);

/** Stable machine codes for why a recipient was not sent to. */
export type ExclusionReason =
  | 'profile-not-found'
  | 'no-address'
  /** A push campaign for an app the recipient has no device token (or subscription) for. */
  | 'no-push-token-for-app'
  /** The device given in the call is on a platform the campaign's app is not (a browser for a mobile app). */
  | 'push-platform-mismatch'
  /** An e-mail whose subject renders empty (or blank): providers refuse it (SendGrid: subject required). */
  | 'empty-subject'
  /** Nothing to send: an e-mail without HTML or text, or an SMS body, that renders blank. */
  | 'empty-content'
  /** An SMS body that renders longer than SMS_MAX_CHARACTERS (Twilio refuses it: error 21617). */
  | 'sms-too-long'
  | 'suppressed'
  | 'no-marketing-consent'
  | 'frequency-capped'
  | 'campaign-not-live'
  | 'quiet-hours'
  | 'throttle-expired';

export interface DeliveryEvent {
  status: DeliveryStatus;
  at: string;
  /** Machine code: an exclusion reason or an error code. */
  reason?: string;
  /** Human-readable detail of a failure; never message bodies or whole profiles. */
  detail?: string;
}

export interface Delivery {
  id: string;
  sandbox: string;
  executionId: string;
  campaignId: string;
  campaignVersion: number;
  recipientIndex: number;
  channel: Channel;
  status: DeliveryStatus;
  reason?: string;
  address?: string;
  profileId?: string;
  providerMessageId?: string;
  attempts: number;
  lastError?: string;
  history: DeliveryEvent[];
  createdAt: string;
  updatedAt: string;
}
