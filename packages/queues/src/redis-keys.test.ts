import { RedisKeys } from './redis-keys';

// The slot function Redis Cluster clients use (installed with ioredis; it ships no types).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const keySlot = require('cluster-key-slot') as (key: string) => number;

const keys = new RedisKeys('herald');

/** Every key of `RedisKeys`, grouped by what one script or MULTI touches together. */
const touchedTogether: Record<string, string[]> = {
  'heraldIdempotencyClaim / Complete': [keys.idempotency('prod', 'req-1')],
  'heraldIdempotencyClaim / Complete (x-request-id)': [
    keys.headerIdempotency(
      { sandbox: 'prod', caller: 'key-1', operation: 'unitary', campaignId: 'c-1' },
      'xr-1',
    ),
  ],
  heraldRateLimitCount: [keys.rateLimit('key-1', 1_767_000_000, 'author-tools')],
  heraldSoftBounceAdd: [keys.softBounces('prod', 'email', 'someone@example.com')],
  heraldFrequencyTake: [keys.frequencyCap('prod', 'profile-1', 'sms')],
  heraldThrottleReserve: [keys.throttle('prod', 'campaign-1')],
  'DeliveryCounters MULTI (one sandbox)': [
    keys.executionCounters('prod', 'execution-1'),
    keys.campaignCounters('prod', 'campaign-1'),
    keys.executionCounters('prod', 'execution-2'),
    keys.campaignCounters('prod', 'campaign-2'),
  ],
};

describe('RedisKeys', () => {
  it.each(Object.entries(touchedTogether))('puts the keys of %s on one cluster slot', (_, group) => {
    expect(new Set(group.map(keySlot)).size).toBe(1);
  });

  it('gives every key a hash tag, so unrelated keys spread over the cluster', () => {
    for (const key of Object.values(touchedTogether).flat()) expect(key).toMatch(/\{[^}]+\}/);
    expect(keySlot(keys.throttle('prod', 'campaign-1'))).not.toBe(
      keySlot(keys.throttle('prod', 'campaign-2')),
    );
  });

  it('starts every key with the queue prefix', () => {
    for (const key of Object.values(touchedTogether).flat()) expect(key.startsWith('herald:')).toBe(true);
  });

  it('puts every key on the slot of a prefix that holds its own hash tag', () => {
    const tagged = new RedisKeys('{herald}');
    const slots = [
      tagged.idempotency('prod', 'req-1'),
      tagged.throttle('prod', 'campaign-1'),
      tagged.executionCounters('prod', 'execution-1'),
      // A BullMQ key under that prefix.
      '{herald}:deliver-email:wait',
    ].map(keySlot);
    expect(new Set(slots).size).toBe(1);
  });

  it('keys an x-request-id by sandbox, caller, operation and campaign, which no value can blur', () => {
    const scope = { sandbox: 'prod', caller: 'key-1', operation: 'unitary', campaignId: 'c-1' };
    const variants = [
      keys.headerIdempotency(scope, 'xr-1'),
      keys.headerIdempotency({ ...scope, sandbox: 'dev' }, 'xr-1'),
      keys.headerIdempotency({ ...scope, caller: 'key-2' }, 'xr-1'),
      keys.headerIdempotency({ ...scope, operation: 'audience' }, 'xr-1'),
      keys.headerIdempotency({ ...scope, campaignId: 'c-2' }, 'xr-1'),
      keys.headerIdempotency({ ...scope, campaignId: 'c-1:xr-1' }, ''),
      keys.headerIdempotency(scope, 'xr-2'),
    ];
    expect(new Set(variants).size).toBe(variants.length);
    expect(keys.headerIdempotency(scope, 'a}b')).toMatch(/^herald:idem-x:\{[^}]+\}$/);
  });

  it('never names an address, only its hash', () => {
    expect(keys.softBounces('prod', 'email', 'someone@example.com')).not.toContain('someone');
  });
});
