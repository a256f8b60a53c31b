import { TransientDeliveryError } from '@herald/errors';

/** Backoff type of delivery jobs; workers resolve it with `deliveryBackoff`. */
export const DELIVERY_BACKOFF_TYPE = 'provider-aware';

/**
 * Wait before attempt n + 1 is entry n − 1; attempts past the table wait its last entry. Two quick
 * retries ride out a blip (one dropped connection, one 5xx); the later ones are minutes, then an
 * hour apart, so that the default 5 attempts span over an hour (1 s + 5 s + 5 min + 1 h) for an
 * outage the provider breaker does not hold back (too little traffic to open it).
 */
export const DELIVERY_RETRY_SCHEDULE_MS: readonly number[] = [1000, 5000, 300_000, 3_600_000];

/**
 * The scheduled wait plus up to 50 % (so retries of one outage spread out, and never come sooner
 * than the schedule), but never sooner than the provider's `Retry-After` when it gave one.
 */
export function deliveryBackoff(
  attemptsMade: number,
  error: unknown,
  random: () => number = Math.random,
): number {
  const schedule = DELIVERY_RETRY_SCHEDULE_MS;
  const scheduled = schedule[Math.min(Math.max(attemptsMade, 1), schedule.length) - 1] ?? 0;
  const jittered = scheduled * (1 + random() / 2);
  const retryAfter = error instanceof TransientDeliveryError ? (error.retryAfterMs ?? 0) : 0;
  return Math.round(Math.max(jittered, retryAfter));
}
