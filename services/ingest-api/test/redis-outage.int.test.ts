import { Redis } from 'ioredis';
import { orderShippedCampaign, startRedisServer, waitFor, type RedisServerHandle } from '@herald/testing';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';
import { createLiveCampaign } from './trigger-setup.fixture';

/** A client waits at most this long for the 503 of a call made while Redis is out. */
const FAIL_FAST_BOUND_MS = 8000;

describe('POST /im/executions/unitary while Redis is out', () => {
  let server: RedisServerHandle;
  let h: ApiHarness;
  let campaignId: string;

  beforeAll(async () => {
    server = await startRedisServer();
    // The per-key rate limit has its own Redis round trip (and timeout) before the trigger runs;
    // off here, so the bound measures the trigger path alone.
    h = await startApiHarness('redis-outage', { REDIS_URL: server.url, API_RATE_LIMIT_PER_SECOND: '0' });
    // The harness's own inspection queue loses Redis too; its connection errors are expected here.
    h.emailQueue.on('error', () => undefined);
    campaignId = await createLiveCampaign(h, orderShippedCampaign());
  });
  afterAll(async () => {
    await h.close();
    await server.stop();
  });

  const call = (requestId: string) => ({
    requestId,
    campaignId,
    recipients: [
      { type: 'aep', userId: 'ada@example.com', namespace: 'email', context: { orderId: 'A', total: 1 } },
    ],
  });
  const executionsOf = async (requestId: string) =>
    (await h.store.executions.listByCampaign('prod', campaignId)).items.filter(
      (execution) => execution.requestId === requestId,
    );

  it('answers 503 with Retry-After at once when Redis is down, and the same call succeeds once it is back', async () => {
    const { port } = server;
    await server.stop();

    const started = Date.now();
    const res = await h.api.post('/im/executions/unitary').send(call('outage-1')).expect(503);
    expect(Date.now() - started).toBeLessThan(FAIL_FAST_BOUND_MS);
    expect(res.body.code).toBe('queue-unavailable');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect((await executionsOf('outage-1')).filter((execution) => execution.status === 'queued')).toEqual([]);

    server = await startRedisServer({ port });
    const accepted = await waitFor(
      async () => {
        const retry = await h.api.post('/im/executions/unitary').send(call('outage-1'));
        return retry.status === 202 ? retry : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 250, description: 'the retried call to be accepted' },
    );
    const jobs = await h.emailQueue.getJobs(['waiting']);
    expect(jobs.map((job) => job.id)).toEqual([`${accepted.body.executionId}-r0`]);
    expect(await h.store.executions.get('prod', accepted.body.executionId)).toMatchObject({
      status: 'queued',
    });
  });

  it('answers 503 within the bound when Redis holds the connection but does not answer', async () => {
    const admin = new Redis(server.url);
    try {
      // Every other client's commands wait while the pause lasts: Redis is up but silent.
      await admin.call('CLIENT', 'PAUSE', '7000', 'ALL');
      const started = Date.now();
      const res = await h.api.post('/im/executions/unitary').send(call('outage-2')).expect(503);
      expect(Date.now() - started).toBeLessThan(FAIL_FAST_BOUND_MS);
      expect(res.headers['retry-after']).toBeDefined();
      expect((await executionsOf('outage-2')).filter((execution) => execution.status === 'queued')).toEqual(
        [],
      );
    } finally {
      await admin.call('CLIENT', 'UNPAUSE');
      admin.disconnect();
    }
  });
});
