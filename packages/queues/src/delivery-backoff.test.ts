import { TransientDeliveryError } from '@herald/errors';
import { deliveryBackoff } from './delivery-backoff';

const DEFAULT_ATTEMPTS = 5;
const HOUR_MS = 3_600_000;

/** Total wait of a job's retries when each draws `random`. */
const span = (attempts: number, random: () => number): number =>
  Array.from({ length: attempts - 1 }, (_, index) =>
    deliveryBackoff(index + 1, new Error('x'), random),
  ).reduce((total, wait) => total + wait, 0);

describe('deliveryBackoff', () => {
  it('retries a blip within seconds: 1 s, then 5 s, each up to 50 % later', () => {
    expect(deliveryBackoff(1, new Error('x'), () => 0)).toBe(1000);
    expect(deliveryBackoff(1, new Error('x'), () => 0.999)).toBe(1500);
    expect(deliveryBackoff(2, new Error('x'), () => 0)).toBe(5000);
  });

  it('spreads the default attempts over more than an hour whatever the jitter draws', () => {
    expect(span(DEFAULT_ATTEMPTS, () => 0)).toBeGreaterThanOrEqual(HOUR_MS);
    expect(span(DEFAULT_ATTEMPTS, () => 0.999)).toBeLessThan(2 * HOUR_MS);
  });

  it('waits an hour, plus jitter, between attempts past the schedule', () => {
    expect(deliveryBackoff(4, new Error('x'), () => 0)).toBe(HOUR_MS);
    expect(deliveryBackoff(40, new Error('x'), () => 0.5)).toBe(1.25 * HOUR_MS);
  });

  it("waits at least as long as the provider's Retry-After", () => {
    const throttled = new TransientDeliveryError('provider-throttled', '429', { retryAfterMs: 30_000 });
    expect(deliveryBackoff(1, throttled, () => 0.5)).toBe(30_000);
  });
});
