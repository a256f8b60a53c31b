import request from 'supertest';
import pino from 'pino';
import { loadConfig } from '@herald/config';
import { openStore } from '@herald/store';
import { createTempDir, orderShippedCampaign, testRedisUrl, uniqueQueuePrefix } from '@herald/testing';
import { hashApiKey } from '../src/auth/api-key-secret';
import { buildApi } from '../src/index';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';
import { createLiveCampaign } from './trigger-setup.fixture';

describe('API keys and access', () => {
  let h: ApiHarness;
  let campaignId: string;
  const keys = {
    execute: 'key-execute-only-0123456789',
    manage: 'key-manage-only-0123456789',
    devManage: 'key-dev-manage-0123456789',
  };

  beforeAll(async () => {
    h = await startApiHarness('auth');
    await h.addApiKey(keys.execute, { name: 'exec', roles: ['execute'], sandboxes: ['prod'] });
    await h.addApiKey(keys.manage, { name: 'manage', roles: ['manage'], sandboxes: ['*'] });
    await h.addApiKey(keys.devManage, { name: 'dev', roles: ['manage'], sandboxes: ['dev'] });
    campaignId = await createLiveCampaign(h, orderShippedCampaign());
  });
  afterAll(async () => h.close());

  const app = () => request(h.runtime.app);
  const trigger = {
    requestId: 'auth-1',
    recipients: [
      { type: 'aep', userId: 'a@example.com', namespace: 'email', context: { orderId: '1', total: 1 } },
    ],
  };

  it('answers 401 without a key, and the same 401 for an unknown key', async () => {
    const none = await app().get(`/campaigns/${campaignId}`).expect(401);
    const unknown = await app()
      .get(`/campaigns/${campaignId}`)
      .set('authorization', 'Bearer no-such-key')
      .expect(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(unknown.body).toEqual(none.body);
    expect(none.body.code).toBe('unauthorized');
  });

  it('accepts the key in x-api-key as well as Authorization: Bearer', async () => {
    await app().get(`/campaigns/${campaignId}`).set('x-api-key', keys.manage).expect(200);
    await app().get(`/campaigns/${campaignId}`).set('authorization', `Bearer ${keys.manage}`).expect(200);
  });

  it('lets an execute key trigger but not manage campaigns', async () => {
    await app()
      .post('/im/executions/unitary')
      .set('x-api-key', keys.execute)
      .send({ ...trigger, campaignId })
      .expect(202);
    const refused = await app().get(`/campaigns/${campaignId}`).set('x-api-key', keys.execute).expect(403);
    expect(refused.body.code).toBe('forbidden');
  });

  it('lets a manage key manage campaigns but not trigger them nor manage keys', async () => {
    await app()
      .post('/im/executions/unitary')
      .set('x-api-key', keys.manage)
      .send({ ...trigger, campaignId })
      .expect(403);
    await app().get('/api-keys').set('x-api-key', keys.manage).expect(403);
  });

  it('refuses a key outside its sandboxes with 403, and queues nothing', async () => {
    await h.emailQueue.drain(true);
    await app()
      .post('/im/executions/unitary')
      .set('x-api-key', keys.execute)
      .set('x-sandbox-name', 'dev')
      .send({ ...trigger, campaignId })
      .expect(403);
    expect((await h.emailQueue.getJobCounts('waiting')).waiting).toBe(0);
    await app().get(`/campaigns/${campaignId}`).set('x-api-key', keys.devManage).expect(403);
    await app()
      .get(`/campaigns/${campaignId}`)
      .set('x-api-key', keys.devManage)
      .set('x-sandbox-name', 'dev')
      .expect(404);
  });

  it('creates a key shown once, stores only its hash, and a revoked key stops working', async () => {
    const created = await h.api
      .post('/api-keys')
      .send({ name: 'shop', roles: ['manage'], sandboxes: ['prod'] })
      .expect(201);
    const key: string = created.body.key;
    expect(key).toMatch(/^hrld_[A-Za-z0-9_-]{43}$/);
    expect(created.body.hash).toBeUndefined();
    const stored = await h.store.apiKeys.findByHash(hashApiKey(key));
    expect(stored).toMatchObject({ id: created.body.id, roles: ['manage'], sandboxes: ['prod'] });
    expect(JSON.stringify(stored)).not.toContain(key);

    await app().get(`/campaigns/${campaignId}`).set('x-api-key', key).expect(200);
    const listed = await h.api.get('/api-keys?limit=500').expect(200);
    expect(listed.body.items.find((item: { id: string }) => item.id === created.body.id)).toBeDefined();
    expect(JSON.stringify(listed.body)).not.toMatch(/"hash"/);

    await h.api.delete(`/api-keys/${created.body.id}`).expect(204);
    await app().get(`/campaigns/${campaignId}`).set('x-api-key', key).expect(401);
    await h.api.delete(`/api-keys/${created.body.id}`).expect(404);
  });

  it('keeps an admin key bound to a sandbox within it: no wider keys, no view of other keys', async () => {
    const devAdmin = 'key-dev-admin-0123456789abcdef';
    await h.addApiKey(devAdmin, { name: 'dev admin', roles: ['admin'], sandboxes: ['dev'] });
    await app()
      .post('/api-keys')
      .set('x-api-key', devAdmin)
      .send({ name: 'escalate', roles: ['admin'], sandboxes: ['*'] })
      .expect(403);
    await app()
      .post('/api-keys')
      .set('x-api-key', devAdmin)
      .send({ name: 'escalate', roles: ['manage'], sandboxes: ['prod'] })
      .expect(403);
    const own = await app()
      .post('/api-keys')
      .set('x-api-key', devAdmin)
      .send({ name: 'dev tool', roles: ['manage'], sandboxes: ['dev'] })
      .expect(201);
    const listed = await app().get('/api-keys?limit=500').set('x-api-key', devAdmin).expect(200);
    const sandboxes = listed.body.items.flatMap((item: { sandboxes: string[] }) => item.sandboxes);
    expect(new Set(sandboxes)).toEqual(new Set(['dev']));
    const prodKey = (await h.store.apiKeys.list({ limit: 500 })).items.find((item) => item.name === 'exec');
    await app().delete(`/api-keys/${prodKey?.id}`).set('x-api-key', devAdmin).expect(404);
    await app().delete(`/api-keys/${own.body.id}`).set('x-api-key', devAdmin).expect(204);
  });

  it('refuses an invalid key definition, naming the fields', async () => {
    const res = await h.api
      .post('/api-keys')
      .send({ name: '', roles: ['root'], sandboxes: [] })
      .expect(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      '/name',
      '/roles/0',
      '/sandboxes',
    ]);
  });

  it('answers 400, not 500, to a path with a malformed %-escape', async () => {
    const res = await h.api.get('/campaigns/%E0%A4%A').expect(400);
    expect(res.body.code).toBe('bad-request');
  });

  it('leaves health, readiness and the API description open', async () => {
    await app().get('/health').expect(200);
    await app().get('/ready').expect(200);
    await app().get('/openapi.json').expect(200);
  });
});

describe('the API key cache', () => {
  it('keeps honouring a key revoked elsewhere for API_KEY_CACHE_SECONDS, and not at all with 0', async () => {
    const key = 'key-cache-check-0123456789abcdef';
    const cached = await startApiHarness('key-cache', { API_KEY_CACHE_SECONDS: '60' });
    const uncached = await startApiHarness('key-nocache', { API_KEY_CACHE_SECONDS: '0' });
    try {
      for (const h of [cached, uncached]) {
        const stored = await h.addApiKey(key, { name: 'c', roles: ['manage'], sandboxes: ['*'] });
        await request(h.runtime.app).get('/campaigns').set('x-api-key', key).expect(200);
        // Revoked by another API process: this one only learns it from the store.
        await h.store.apiKeys.revoke(stored.id);
      }
      await request(cached.runtime.app).get('/campaigns').set('x-api-key', key).expect(200);
      await request(uncached.runtime.app).get('/campaigns').set('x-api-key', key).expect(401);
    } finally {
      await Promise.all([cached.close(), uncached.close()]);
    }
  });
});

describe('the first admin key', () => {
  it('is generated once when HERALD_ADMIN_KEY is unset, even with two API processes starting on one store', async () => {
    const dir = createTempDir('bootstrap');
    const config = loadConfig({
      REDIS_URL: testRedisUrl(process.env),
      QUEUE_PREFIX: uniqueQueuePrefix('bootstrap'),
      HERALD_DATA_DIR: dir.path,
    });
    const logger = pino({ level: 'silent' });
    const [first, second] = await Promise.all([buildApi(config, logger), buildApi(config, logger)]);
    const third = await buildApi(config, logger);
    try {
      const generated = [first.generatedAdminKey, second.generatedAdminKey, third.generatedAdminKey].filter(
        Boolean,
      );
      expect(generated).toHaveLength(1);
      const key = generated[0] as string;
      await request(first.app).get('/api-keys').set('x-api-key', key).expect(200);
      const store = await openStore({ url: config.store.url });
      const listed = await store.apiKeys.list();
      await store.close();
      expect(listed.items).toHaveLength(1);
      expect(listed.items[0]?.hash).toBe(hashApiKey(key));
    } finally {
      await Promise.all([first.close(), second.close(), third.close()]);
      dir.remove();
    }
  });
});
