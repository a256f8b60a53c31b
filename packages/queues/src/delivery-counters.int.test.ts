import { Redis } from 'ioredis';
import { testRedisUrl, uniqueQueuePrefix } from '@herald/testing';
import { RedisKeys } from './redis-keys';
import { DeliveryCounters, type CounterScope, type StatusTransition } from './delivery-counters';

describe('DeliveryCounters', () => {
  // The test environment removes the keys under this prefix when the file ends.
  const prefix = uniqueQueuePrefix('counters');
  let redis: Redis;
  let counters: DeliveryCounters;
  let executions = 0;

  const nextScope = (campaignId = 'campaign-1'): CounterScope => {
    executions += 1;
    return { sandbox: 'prod', executionId: `exec-${executions}`, campaignId };
  };
  const change = (
    scope: CounterScope,
    from: StatusTransition['from'],
    to: StatusTransition['to'],
    reasons: { fromReason?: string; toReason?: string } = {},
  ): StatusTransition => ({ scope, from, to, ...reasons });

  beforeAll(() => {
    redis = new Redis(testRedisUrl(process.env), { maxRetriesPerRequest: 1 });
    counters = new DeliveryCounters(redis, prefix);
  });
  afterAll(() => redis.disconnect());

  it('counts outcomes and reasons of one execution, and of its campaign across executions', async () => {
    const first = nextScope('campaign-a');
    const second = nextScope('campaign-a');
    await counters.apply([
      change(first, null, 'sent'),
      change(first, null, 'sent'),
      change(first, null, 'excluded', { toReason: 'suppressed' }),
      change(first, null, 'failed', { toReason: 'retries-exhausted' }),
      change(second, null, 'excluded', { toReason: 'no-address' }),
    ]);
    expect(await counters.execution('prod', first.executionId)).toEqual({
      sent: 2,
      failed: 1,
      excluded: 1,
      excludedByReason: { suppressed: 1 },
      failedByReason: { 'retries-exhausted': 1 },
      deferred: 0,
      delivered: 0,
      bounced: 0,
      opened: 0,
      clicked: 0,
    });
    expect(await counters.campaign('prod', 'campaign-a')).toMatchObject({
      sent: 2,
      excluded: 2,
      excludedByReason: { suppressed: 1, 'no-address': 1 },
    });
  });

  it('moves a count from the previous status and reason to the new one', async () => {
    const scope = nextScope();
    await counters.apply([change(scope, null, 'failed', { toReason: 'provider-rejected' })]);
    await counters.apply([change(scope, 'failed', 'queued', { fromReason: 'provider-rejected' })]);
    expect(await counters.execution('prod', scope.executionId)).toMatchObject({
      sent: 0,
      failed: 0,
      failedByReason: {},
    });
    await counters.apply([change(scope, 'queued', 'sent')]);
    expect(await counters.execution('prod', scope.executionId)).toMatchObject({ sent: 1, failed: 0 });
  });

  it('keeps provider feedback as a funnel over the sent messages', async () => {
    const scope = nextScope();
    await counters.apply([
      change(scope, null, 'sent'),
      change(scope, null, 'sent'),
      change(scope, null, 'sent'),
      change(scope, null, 'sent'),
    ]);
    await counters.apply([
      change(scope, 'sent', 'delivered'),
      change(scope, 'sent', 'delivered'),
      change(scope, 'sent', 'bounced'),
    ]);
    await counters.apply([change(scope, 'delivered', 'opened')]);
    await counters.apply([change(scope, 'opened', 'clicked')]);
    expect(await counters.execution('prod', scope.executionId)).toMatchObject({
      sent: 4,
      delivered: 2,
      bounced: 1,
      opened: 1,
      clicked: 1,
    });
  });

  it('counts deferrals without touching the outcomes', async () => {
    const scope = nextScope('campaign-deferred');
    await counters.addDeferred(scope);
    await counters.addDeferred(scope, 3);
    expect(await counters.execution('prod', scope.executionId)).toMatchObject({ deferred: 4, sent: 0 });
    expect(await counters.campaign('prod', 'campaign-deferred')).toMatchObject({ deferred: 4 });
  });

  it('tells when the counters of an execution last settled a recipient, not when feedback or deferrals moved them', async () => {
    const scope = nextScope();
    const changedAt = async () => (await counters.executionLive('prod', scope.executionId))?.changedAt;
    expect(await changedAt()).toBeUndefined();
    const before = Date.now();
    await counters.apply([change(scope, null, 'sent')]);
    const settled = await changedAt();
    expect(settled).toBeGreaterThanOrEqual(before);
    expect(settled).toBeLessThanOrEqual(Date.now());
    await new Promise((resolve) => setTimeout(resolve, 5));
    await counters.addDeferred(scope);
    await counters.apply([change(scope, 'sent', 'delivered'), change(scope, 'delivered', 'opened')]);
    expect(await changedAt()).toBe(settled);
    await counters.apply([change(scope, null, 'excluded', { toReason: 'suppressed' })]);
    expect(await changedAt()).toBeGreaterThan(settled ?? 0);
    expect(await counters.execution('prod', scope.executionId)).toMatchObject({
      sent: 1,
      opened: 1,
      excluded: 1,
      deferred: 1,
    });
  });

  it('answers null for an execution without counters', async () => {
    expect(await counters.execution('prod', 'never-counted')).toBeNull();
    expect(await counters.campaign('prod', 'never-counted')).toBeNull();
  });

  it('answers null when the counters were recreated after expiring, rather than partial counts', async () => {
    const scope = nextScope();
    await counters.apply([change(scope, 'sent', 'delivered')]);
    expect(await counters.execution('prod', scope.executionId)).toBeNull();
  });

  it('lets the counters of one execution expire, refreshed on every change', async () => {
    const shortLived = new DeliveryCounters(redis, prefix, { ttlSeconds: 60 });
    const scope = nextScope('campaign-ttl');
    await shortLived.apply([change(scope, null, 'sent')]);
    const keys = await redis.keys(new RedisKeys(prefix).executionCounters('prod', scope.executionId));
    expect(keys).toHaveLength(1);
    const [key] = keys as [string];
    await redis.expire(key, 5);
    await shortLived.addDeferred(scope);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(5);
    expect(ttl).toBeLessThanOrEqual(60);
  });
});
