import pino from 'pino';
import request from 'supertest';
import { Redis } from 'ioredis';
import type { CampaignDefinition } from '@herald/contracts';
import { orderShippedCampaign, waitFor } from '@herald/testing';
import { buildApi, type ApiRuntime } from '../src/index';
import { startApiHarness, TEST_ADMIN_KEY, type ApiHarness } from './api-harness.fixture';
import { twoRecipientCall } from './trigger-setup.fixture';
import { RedisKeys } from '@herald/queues';

/** Execute-only keys, each bound to one sandbox, as two tenants' callers would hold them. */
const KEYS = {
  prod: 'scope-prod-execute-key-0123456789abcdef',
  prodOther: 'scope-prod-other-key-0123456789abcdefg',
  dev: 'scope-dev-execute-key-0123456789abcdefgh',
};

/** Short enough to wait out in a test, long enough that a retry made at once is well within it. */
const SHORT_TTL_SECONDS = 3;

describe('the scope and lifetime of a requestId', () => {
  let h: ApiHarness;
  let redis: Redis;
  const campaigns: Record<'prod' | 'dev', string> = { prod: '', dev: '' };

  const createLiveCampaignIn = async (sandbox: string, definition: CampaignDefinition): Promise<string> => {
    const created = await h.api
      .post('/campaigns')
      .set('x-sandbox-name', sandbox)
      .send(definition)
      .expect(201);
    await h.api.post(`/campaigns/${created.body.id}/activate`).set('x-sandbox-name', sandbox).expect(200);
    return String(created.body.id);
  };

  beforeAll(async () => {
    h = await startApiHarness('idempotency-scope');
    redis = new Redis(h.config.redis.url);
    await h.addApiKey(KEYS.prod, { name: 'prod', roles: ['execute'], sandboxes: ['prod'] });
    await h.addApiKey(KEYS.prodOther, { name: 'prod-other', roles: ['execute'], sandboxes: ['prod'] });
    await h.addApiKey(KEYS.dev, { name: 'dev', roles: ['execute'], sandboxes: ['dev'] });
    campaigns.prod = await createLiveCampaignIn('prod', orderShippedCampaign());
    campaigns.dev = await createLiveCampaignIn('dev', orderShippedCampaign());
  });
  afterAll(async () => {
    redis.disconnect();
    await h.close();
  });
  beforeEach(async () => h.emailQueue.drain(true));

  const trigger = (app: ApiRuntime['app'], key: string, sandbox: string, body: object) =>
    request(app)
      .post('/im/executions/unitary')
      .set('x-api-key', key)
      .set('x-sandbox-name', sandbox)
      .send(body);
  const queuedJobs = async () =>
    (await h.emailQueue.getJobs(['waiting']))
      .map((job) => ({ id: job.id, sandbox: job.data.sandbox }))
      .sort((a, b) => String(a.id).localeCompare(String(b.id)));
  const jobsOf = (executionId: string, sandbox: string) =>
    [0, 1].map((index) => ({ id: `${executionId}-r${index}`, sandbox }));
  const executionsWith = async (sandbox: string, campaignId: string, requestId: string) =>
    (await h.store.executions.listByCampaign(sandbox, campaignId)).items.filter(
      (execution) => execution.requestId === requestId,
    );

  it('runs the same requestId in two sandboxes as two independent executions', async () => {
    const inProd = await trigger(
      h.runtime.app,
      KEYS.prod,
      'prod',
      twoRecipientCall(campaigns.prod, 'shared-id'),
    ).expect(202);
    const inDev = await trigger(
      h.runtime.app,
      KEYS.dev,
      'dev',
      twoRecipientCall(campaigns.dev, 'shared-id'),
    ).expect(202);

    expect(inDev.body.requestId).toBe('shared-id');
    expect(inDev.body.executionId).not.toBe(inProd.body.executionId);
    const expected = [...jobsOf(inProd.body.executionId, 'prod'), ...jobsOf(inDev.body.executionId, 'dev')];
    expect(await queuedJobs()).toEqual(expected.sort((a, b) => a.id.localeCompare(b.id)));
    expect(await executionsWith('prod', campaigns.prod, 'shared-id')).toEqual([
      expect.objectContaining({ id: inProd.body.executionId, status: 'queued' }),
    ]);
    expect(await executionsWith('dev', campaigns.dev, 'shared-id')).toEqual([
      expect.objectContaining({ id: inDev.body.executionId, status: 'queued' }),
    ]);
  });

  it('scopes a requestId by sandbox, not by API key: another key of the same sandbox gets the first answer', async () => {
    const body = twoRecipientCall(campaigns.prod, 'shared-by-keys');
    const first = await trigger(h.runtime.app, KEYS.prod, 'prod', body).expect(202);
    const second = await trigger(h.runtime.app, KEYS.prodOther, 'prod', body).expect(202);

    expect(second.body).toEqual(first.body);
    expect(await queuedJobs()).toEqual(jobsOf(first.body.executionId, 'prod'));
    expect(await executionsWith('prod', campaigns.prod, 'shared-by-keys')).toHaveLength(1);
  });

  describe('with a short IDEMPOTENCY_TTL_SECONDS', () => {
    let shortTtl: ApiRuntime;
    const idemKey = (requestId: string) =>
      new RedisKeys(h.config.redis.queuePrefix).idempotency('prod', requestId);
    const call = (requestId: string, total?: number) =>
      trigger(shortTtl.app, TEST_ADMIN_KEY, 'prod', twoRecipientCall(campaigns.prod, requestId, total));
    const waitForExpiry = (requestId: string) =>
      waitFor(async () => (await redis.exists(idemKey(requestId))) === 0, {
        timeoutMs: (SHORT_TTL_SECONDS + 5) * 1000,
        intervalMs: 100,
        description: `the idempotency key of ${requestId} to expire`,
      });

    beforeAll(async () => {
      // A second API process on the same store and queues. The setting's floor is 60 s, too long to
      // wait in a test, so its value is set on the loaded config, which is what the API reads.
      shortTtl = await buildApi(
        { ...h.config, api: { ...h.config.api, idempotencyTtlSeconds: SHORT_TTL_SECONDS } },
        pino({ level: 'silent' }),
      );
    });
    afterAll(async () => shortTtl.close());

    it('replays a repeated call within the TTL, and runs it as a new execution once the TTL has passed', async () => {
      const first = await call('expiring').expect(202);
      const ttl = await redis.pttl(idemKey('expiring'));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(SHORT_TTL_SECONDS * 1000);
      const retried = await call('expiring').expect(202);
      expect(retried.body).toEqual(first.body);
      expect(await queuedJobs()).toEqual(jobsOf(first.body.executionId, 'prod'));

      await waitForExpiry('expiring');
      const after = await call('expiring').expect(202);

      expect(after.body.requestId).toBe('expiring');
      expect(after.body.executionId).not.toBe(first.body.executionId);
      const expected = [...jobsOf(first.body.executionId, 'prod'), ...jobsOf(after.body.executionId, 'prod')];
      expect(await queuedJobs()).toEqual(expected.sort((a, b) => a.id.localeCompare(b.id)));
      const executions = await executionsWith('prod', campaigns.prod, 'expiring');
      expect(executions.map((execution) => execution.id).sort()).toEqual(
        [first.body.executionId, after.body.executionId].sort(),
      );
    });

    it('accepts another body under a requestId whose TTL has passed, where it was 409 before', async () => {
      await call('reused', 10).expect(202);
      expect((await call('reused', 99).expect(409)).body.code).toBe('request-id-reused');

      await waitForExpiry('reused');
      const after = await call('reused', 99).expect(202);

      const executions = await executionsWith('prod', campaigns.prod, 'reused');
      expect(executions.map((execution) => execution.id)).toContain(after.body.executionId);
      expect(executions).toHaveLength(2);
      const jobs = await h.emailQueue.getJobs(['waiting']);
      expect(
        jobs
          .filter((job) => job.data.executionId === after.body.executionId)
          .map((job) => job.data.recipient),
      ).toEqual(
        expect.arrayContaining([expect.objectContaining({ context: { orderId: 'O-0', total: 99 } })]),
      );
    });
  });
});
