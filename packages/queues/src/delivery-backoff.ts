import { TransientDeliveryError } from '@herald/errors';

/** Backoff type of delivery jobs; workers resolve it with `deliveryBackoff`. */
export const DELIVERY_BACKOFF_TYPE = 'provider-aware';
export const DELIVERY_BACKOFF_BASE_MS = 1000;
const MAX_BACKOFF_MS = 3600 * 1000;

/**
 * Exponential backoff with ±50 % jitter (so retries of one provider outage spread out), but
 * never sooner than the provider's `Retry-After` when it gave one.
 */
export function deliveryBackoff(
  attemptsMade: number,
  error: unknown,
  random: () => number = Math.random,
): number {
  const exponential = DELIVERY_BACKOFF_BASE_MS * 2 ** Math.max(0, attemptsMade - 1);
  const jittered = exponential * (0.5 + random());
  const retryAfter = error instanceof TransientDeliveryError ? (error.retryAfterMs ?? 0) : 0;
  return Math.round(Math.min(MAX_BACKOFF_MS, Math.max(jittered, retryAfter)));
}
