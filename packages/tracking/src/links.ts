import type { TrackedAction, TrackingClaims } from './claims';
import { LINK_LIFETIME_SECONDS, MIRROR_LIFETIME_SECONDS } from './claims';
import type { TrackingTokens } from './tokens';

/** The tracker's path segment of each action: `/o/<token>`, `/c/<token>`, `/m/<token>`, `/u/<token>`. */
export const TRACKER_PATHS: Readonly<Record<TrackedAction, string>> = {
  open: 'o',
  click: 'c',
  mirror: 'm',
  unsubscribe: 'u',
};

/** `${baseUrl}/o/${token}` (open), `/c/` (click), `/m/` (mirror), `/u/` (unsubscribe); baseUrl without trailing slash. */
export function trackerUrl(baseUrl: string, action: TrackedAction, token: string): string {
  return `${baseUrl}/${TRACKER_PATHS[action]}/${token}`;
}

/** What the links of one delivery are made from. */
export interface TrackingContext {
  tokens: TrackingTokens;
  /** The tracker's public base URL, without trailing slash. */
  baseUrl: string;
  claims: Pick<
    TrackingClaims,
    'sandbox' | 'campaignId' | 'executionId' | 'deliveryId' | 'channel' | 'locale'
  >;
  /** Render time in Unix seconds (default: now); every token of the delivery is issued at it. */
  nowSeconds?: number;
  /** The recipient's profile, put in the unsubscribe token only (see TrackingClaims.profileId). */
  profileId?: string;
}

export function issuedAt(context: TrackingContext): number {
  return context.nowSeconds ?? Math.floor(Date.now() / 1000);
}

/** The Liquid variables `herald.mirrorUrl` and `herald.unsubscribeUrl` for one delivery. */
export function serviceLinks(context: TrackingContext): { mirrorUrl: string; unsubscribeUrl: string } {
  const now = issuedAt(context);
  const mirrorToken = context.tokens.sign({
    ...context.claims,
    action: 'mirror',
    issuedAt: now,
    expiresAt: now + MIRROR_LIFETIME_SECONDS,
  });
  const unsubscribeToken = context.tokens.sign({
    ...context.claims,
    ...(context.profileId === undefined ? {} : { profileId: context.profileId }),
    action: 'unsubscribe',
    issuedAt: now,
    expiresAt: now + LINK_LIFETIME_SECONDS,
  });
  return {
    mirrorUrl: trackerUrl(context.baseUrl, 'mirror', mirrorToken),
    unsubscribeUrl: trackerUrl(context.baseUrl, 'unsubscribe', unsubscribeToken),
  };
}

/** The signed click token of one link of a delivery, issued at `now`, for LINK_LIFETIME_SECONDS. */
export function clickToken(
  context: TrackingContext,
  now: number,
  link: { linkId: string; url: string; label?: string | undefined },
): string {
  return context.tokens.sign({
    ...context.claims,
    action: 'click',
    issuedAt: now,
    expiresAt: now + LINK_LIFETIME_SECONDS,
    linkId: link.linkId,
    ...(link.label === undefined ? {} : { label: link.label }),
    url: link.url,
  });
}
