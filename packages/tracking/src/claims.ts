import type { Channel } from '@herald/contracts';

export type TrackedAction = 'open' | 'click' | 'mirror' | 'unsubscribe';

/**
 * What a tracking token carries: ids, the channel, the locale, and for a click the link's id,
 * label and destination. Never personal data: the token sits in a URL that proxies, scanners and
 * browser histories see.
 */
export interface TrackingClaims {
  action: TrackedAction;
  sandbox: string;
  campaignId: string;
  executionId: string;
  deliveryId: string;
  channel: Channel;
  /** Unix seconds, when the message was rendered (about when it was sent). */
  issuedAt: number;
  /** Unix seconds; the token is refused after it. */
  expiresAt: number;
  locale?: string;
  /** Click only. */
  linkId?: string;
  /** Click only. */
  label?: string;
  /** Click only: where the message's link went. */
  url?: string;
  /**
   * Unsubscribe only: the recipient's profile (an opaque id), so that the link withdraws consent
   * for its 25 months even after the delivery record is pruned (DELIVERY_RETENTION_DAYS).
   */
  profileId?: string;
}

const DAY_SECONDS = 24 * 60 * 60;

/** How long the links, the open pixel and the unsubscribe link of a message work: 25 months. */
export const LINK_LIFETIME_SECONDS = 761 * DAY_SECONDS;

/** How long the "view in browser" mirror page of a message is served. */
export const MIRROR_LIFETIME_SECONDS = 90 * DAY_SECONDS;
