import { Redis } from 'ioredis';
import { orderShippedCampaign } from '@herald/testing';
import { bodyFingerprint, IdempotencyGuard } from '../src/triggers/idempotency';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';
import { createLiveCampaign, twoRecipientCall } from './trigger-setup.fixture';

describe('requestId as an idempotency key on POST /im/executions/unitary', () => {
  let h: ApiHarness;
  let campaignId: string;
  let redis: Redis;

  beforeAll(async () => {
    h = await startApiHarness('idempotency');
    redis = new Redis(h.config.redis.url);
    campaignId = await createLiveCampaign(h, orderShippedCampaign());
  });
  afterAll(async () => {
    redis.disconnect();
    await h.close();
  });
  beforeEach(async () => h.emailQueue.drain(true));

  const call = (requestId: string, total = 10) => twoRecipientCall(campaignId, requestId, total);
  /** What the API binds a requestId to for a body as supertest sends it. */
  const fingerprintOf = (body: unknown): string => bodyFingerprint(Buffer.from(JSON.stringify(body)));
  const queuedJobIds = async () => (await h.emailQueue.getJobs(['waiting'])).map((job) => job.id).sort();

  it('answers a repeated call with the first 202 body and queues its jobs once', async () => {
    const first = await h.api.post('/im/executions/unitary').send(call('idem-1')).expect(202);
    const second = await h.api.post('/im/executions/unitary').send(call('idem-1')).expect(202);
    expect(second.body).toEqual(first.body);
    expect(await queuedJobIds()).toEqual([`${first.body.executionId}-r0`, `${first.body.executionId}-r1`]);
    const executions = await h.store.executions.listByCampaign('prod', campaignId);
    expect(executions.items.filter((execution) => execution.requestId === 'idem-1')).toHaveLength(1);
  });

  it('binds a requestId to the bytes sent: the same JSON re-serialised in another key order is refused', async () => {
    await h.api.post('/im/executions/unitary').send(call('idem-bytes')).expect(202);
    const before = await queuedJobIds();
    const { recipients, requestId, campaignId: id } = call('idem-bytes');
    const res = await h.api
      .post('/im/executions/unitary')
      .send({ recipients, campaignId: id, requestId })
      .expect(409);
    expect(res.body.code).toBe('request-id-reused');
    expect(await queuedJobIds()).toEqual(before);
  });

  it('refuses the same requestId with a different body with 409 and queues nothing more', async () => {
    await h.api.post('/im/executions/unitary').send(call('idem-2')).expect(202);
    const before = await queuedJobIds();
    const res = await h.api.post('/im/executions/unitary').send(call('idem-2', 99)).expect(409);
    expect(res.body.code).toBe('request-id-reused');
    expect(await queuedJobIds()).toEqual(before);
  });

  it('recovers a call that crashed after claiming its requestId: the retry queues under the claimed execution', async () => {
    const guard = new IdempotencyGuard(redis, {
      prefix: h.config.redis.queuePrefix,
      ttlSeconds: 60,
      bodyRequestIdEnabled: async () => true,
    });
    const claimed = await guard.begin({
      sandbox: 'prod',
      requestId: 'idem-crash',
      fingerprint: fingerprintOf(call('idem-crash')),
    });
    expect(claimed.kind).toBe('new');
    if (claimed.kind !== 'new') return;
    expect(await queuedJobIds()).toEqual([]);

    const res = await h.api.post('/im/executions/unitary').send(call('idem-crash')).expect(202);
    expect(res.body.executionId).toBe(claimed.executionId);
    expect(await queuedJobIds()).toEqual([`${claimed.executionId}-r0`, `${claimed.executionId}-r1`]);
    expect(await h.store.executions.get('prod', claimed.executionId)).toMatchObject({ status: 'queued' });
    const again = await h.api.post('/im/executions/unitary').send(call('idem-crash')).expect(202);
    expect(again.body).toEqual(res.body);
    expect(await queuedJobIds()).toEqual([`${claimed.executionId}-r0`, `${claimed.executionId}-r1`]);
  });

  it('queues nothing again for a repeated call whose jobs already ran and were removed', async () => {
    const first = await h.api.post('/im/executions/unitary').send(call('idem-ran')).expect(202);
    await h.emailQueue.drain(true);
    expect(await queuedJobIds()).toEqual([]);
    const second = await h.api.post('/im/executions/unitary').send(call('idem-ran')).expect(202);
    expect(second.body).toEqual(first.body);
    expect(await queuedJobIds()).toEqual([]);
  });

  it('queues concurrent duplicates on two API processes once', async () => {
    const other = await startApiHarness('idempotency-peer', {
      QUEUE_PREFIX: h.config.redis.queuePrefix,
      HERALD_DATA_DIR: h.dir.path,
    });
    try {
      const apis = [h.api, other.api];
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          apis[index % 2]!.post('/im/executions/unitary').send(call('idem-race')),
        ),
      );
      expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 10 }, () => 202));
      const executionIds = new Set(answers.map((answer) => answer.body.executionId));
      expect(executionIds.size).toBe(1);
      const [executionId] = [...executionIds];
      expect(await queuedJobIds()).toEqual([`${executionId}-r0`, `${executionId}-r1`]);
      const executions = await h.store.executions.listByCampaign('prod', campaignId);
      expect(executions.items.filter((execution) => execution.requestId === 'idem-race')).toHaveLength(1);
    } finally {
      await other.close();
    }
  });
});
