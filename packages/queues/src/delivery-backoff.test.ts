import { TransientDeliveryError } from '@herald/errors';
import { deliveryBackoff } from './delivery-backoff';

describe('deliveryBackoff', () => {
  it('doubles with each attempt around a jittered base', () => {
    expect(deliveryBackoff(1, new Error('x'), () => 0.5)).toBe(1000);
    expect(deliveryBackoff(3, new Error('x'), () => 0.5)).toBe(4000);
    expect(deliveryBackoff(3, new Error('x'), () => 0)).toBe(2000);
  });

  it("waits at least as long as the provider's Retry-After", () => {
    const throttled = new TransientDeliveryError('provider-throttled', '429', { retryAfterMs: 30_000 });
    expect(deliveryBackoff(1, throttled, () => 0.5)).toBe(30_000);
  });

  it('never waits more than an hour', () => {
    expect(deliveryBackoff(40, new Error('x'), () => 1)).toBe(3_600_000);
  });
});
