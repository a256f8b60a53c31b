import type { DeliveryKey } from '@herald/store';
import type { TrackingContext, TrackingTokens } from '@herald/tracking';

/** Where the tracker is and how its links are signed; absent when TRACKING_KEYS is unset. */
export interface TrackerLinks {
  tokens: TrackingTokens;
  /** TRACKER_PUBLIC_URL, without a trailing slash. */
  baseUrl: string;
}

/** What the tracker links of one delivery are signed from, issued now. */
export function trackingContext(
  tracker: TrackerLinks,
  key: DeliveryKey,
  locale: string,
  profileId?: string,
): TrackingContext {
  return {
    ...(profileId === undefined ? {} : { profileId }),
    tokens: tracker.tokens,
    baseUrl: tracker.baseUrl,
    claims: {
      sandbox: key.sandbox,
      campaignId: key.campaignId,
      executionId: key.executionId,
      deliveryId: key.id,
      channel: key.channel,
      locale,
    },
    nowSeconds: Math.floor(Date.now() / 1000),
  };
}
