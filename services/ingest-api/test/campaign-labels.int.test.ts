import request from 'supertest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { FANOUT_QUEUE, type CampaignDefinition } from '@herald/contracts';
import { orderShippedCampaign, orderShippedRecipient } from '@herald/testing';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';
import { createLiveCampaign } from './trigger-setup.fixture';

const LABELS = ['eu', 'finance'];
const labelled = (overrides: Partial<CampaignDefinition> = {}) =>
  orderShippedCampaign({ labels: LABELS, ...overrides });
const marketing = (audienceId: string) =>
  labelled({
    name: 'Spring sale',
    type: 'marketing',
    contextSchema: { type: 'object', properties: { orderId: { type: 'string' }, total: { type: 'number' } } },
    audience: { id: audienceId },
  });

/** Keys with the `manage` and `execute` roles in `prod`, holding different campaign labels. */
const KEYS = {
  holder: 'labels-holder-0123456789abcdef',
  partial: 'labels-partial-0123456789abcdef',
  unlabelled: 'labels-none-0123456789abcdef',
  every: 'labels-every-0123456789abcdef',
} as const;

/**
 * Campaign access labels (AJO object-level access): a key sees, edits, acts on, reports on and
 * triggers a labelled campaign only when it holds all of its labels; to any other key the
 * campaign, its executions and schedules do not exist (404, never 403).
 */
describe('campaign access labels', () => {
  let h: ApiHarness;
  let connection: Redis;
  let fanOutQueue: Queue;
  let transactionalId: string;
  let marketingId: string;
  let unlabelledId: string;
  let executionId: string;
  let audienceExecutionId: string;
  let scheduleId: string;
  let operations: Array<{ method: string; path: string }>;

  const as = (key: string) => {
    const agent = request(h.runtime.app);
    return {
      get: (url: string) => agent.get(url).set('x-api-key', key),
      delete: (url: string) => agent.delete(url).set('x-api-key', key),
      post: (url: string) => agent.post(url).set('x-api-key', key),
      put: (url: string) => agent.put(url).set('x-api-key', key),
    };
  };

  /** The body each campaign- or execution-scoped operation takes, valid so it reaches the campaign. */
  const bodyFor = (method: string, path: string): object | undefined => {
    if (method === 'put') return labelled({ name: 'edited' });
    if (path.endsWith('/preview')) return {};
    if (path.endsWith('/test-send')) return { recipients: [{ address: 'qa@example.com' }] };
    return method === 'post' ? {} : undefined;
  };

  const callOperation = (key: string, method: string, path: string, campaignId: string) => {
    const url = path
      .replace('{id}', campaignId)
      .replace('{campaignId}', campaignId)
      .replace('{version}', '1')
      .replace('{executionId}', path.includes('/audience/') ? audienceExecutionId : executionId)
      .replace('{scheduleId}', scheduleId);
    const agent = as(key);
    const pending =
      method === 'get'
        ? agent.get(url)
        : method === 'delete'
          ? agent.delete(url)
          : method === 'put'
            ? agent.put(url)
            : agent.post(url);
    const body = bodyFor(method, path);
    return body === undefined ? pending : pending.send(body);
  };

  beforeAll(async () => {
    h = await startApiHarness('campaign-labels');
    connection = new Redis(h.config.redis.url, { maxRetriesPerRequest: null });
    fanOutQueue = new Queue(FANOUT_QUEUE, { connection, prefix: h.config.redis.queuePrefix });
    const grant = { roles: ['manage', 'execute'] as const, sandboxes: ['prod'] };
    await h.addApiKey(KEYS.holder, { name: 'holder', ...grant, roles: [...grant.roles], labels: LABELS });
    await h.addApiKey(KEYS.partial, { name: 'partial', ...grant, roles: [...grant.roles], labels: ['eu'] });
    await h.addApiKey(KEYS.unlabelled, { name: 'unlabelled', ...grant, roles: [...grant.roles] });
    await h.addApiKey(KEYS.every, { name: 'every', ...grant, roles: [...grant.roles], labels: ['*'] });

    const audience = await h.api
      .post('/audiences')
      .send({ name: 'All', kind: 'query', query: {} })
      .expect(201);
    transactionalId = await createLiveCampaign(h, labelled());
    marketingId = await createLiveCampaign(h, marketing(audience.body.id));
    unlabelledId = await createLiveCampaign(h, orderShippedCampaign({ name: 'Unlabelled' }));
    const unitary = await h.api
      .post('/im/executions/unitary')
      .send({
        campaignId: transactionalId,
        requestId: 'labels-1',
        recipients: [orderShippedRecipient('a@example.com')],
      })
      .expect(202);
    executionId = unitary.body.executionId;
    audienceExecutionId = (
      await h.api.post('/im/executions/audience').send({ campaignId: marketingId }).expect(202)
    ).body.executionId;
    const executeAt = new Date(Date.now() + 3_600_000).toISOString();
    scheduleId = (
      await h.api
        .post('/im/executions/audience')
        .send({ campaignId: marketingId, schedule: { executeAt } })
        .expect(202)
    ).body.scheduleId;

    const document = (await h.api.get('/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    operations = Object.entries(document.paths)
      .filter(([path]) =>
        /^\/campaigns\/\{|^\/executions\/\{|\/im\/executions\/(audience|schedules)\/\{/.test(path),
      )
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method, path })));
  });
  afterAll(async () => {
    await fanOutQueue.obliterate({ force: true });
    await fanOutQueue.close();
    connection.disconnect();
    await h.close();
  });

  it('walks the campaign, tool, report, execution and schedule operations', () => {
    const paths = operations.map((operation) => `${operation.method} ${operation.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'get /campaigns/{id}',
        'put /campaigns/{id}',
        'post /campaigns/{id}/activate',
        'post /campaigns/{id}/archive',
        'get /campaigns/{id}/versions',
        'post /campaigns/{id}/preview',
        'post /campaigns/{id}/test-send',
        'get /campaigns/{id}/curl',
        'get /campaigns/{campaignId}/report',
        'get /executions/{executionId}/deliveries',
        'get /im/executions/audience/{executionId}',
        'delete /im/executions/schedules/{scheduleId}',
      ]),
    );
  });

  it('answers 404 to every operation for a key lacking one of the labels, or holding none', async () => {
    for (const key of [KEYS.partial, KEYS.unlabelled]) {
      for (const { method, path } of operations) {
        const res = await callOperation(key, method, path, transactionalId);
        expect({ operation: `${method} ${path}`, status: res.status, code: res.body.code }).toEqual({
          operation: `${method} ${path}`,
          status: 404,
          code: expect.stringMatching(/^(campaign|execution|schedule)-not-found$/),
        });
      }
    }
    // Nothing was changed: the campaign is as it was, the schedule still pending.
    expect((await h.api.get(`/campaigns/${transactionalId}`).expect(200)).body).toMatchObject({
      status: 'live',
      latestVersion: 1,
    });
    await h.api.get(`/im/executions/schedules/${scheduleId}`).expect(200);
  });

  it('answers a hidden campaign exactly as one that does not exist', async () => {
    const hidden = await as(KEYS.partial).get(`/campaigns/${transactionalId}`).expect(404);
    const missing = await as(KEYS.partial).get('/campaigns/no-such-campaign').expect(404);

    expect(hidden.body.code).toBe(missing.body.code);
    expect(hidden.body.title).toBe(missing.body.title);
  });

  it('lets a key holding every label (or `*`) through every operation', async () => {
    for (const key of [KEYS.holder, KEYS.every]) {
      // A draft of its own: the lifecycle actions walked here change its status.
      const draft = (await as(key).post('/campaigns').send(labelled()).expect(201)).body.id as string;
      // Cancelling the schedule is walked last, below: a cancelled schedule is not found.
      for (const { method, path } of operations.filter((operation) => operation.method !== 'delete')) {
        const campaignId =
          path.startsWith('/campaigns/') && !path.endsWith('/report') ? draft : transactionalId;
        const res = await callOperation(key, method, path, campaignId);
        expect({ operation: `${method} ${path}`, found: res.status !== 404 }).toEqual({
          operation: `${method} ${path}`,
          found: true,
        });
      }
    }
    await as(KEYS.holder).delete(`/im/executions/schedules/${scheduleId}`).expect(200);
  });

  it('leaves campaigns whose labels the key lacks out of the list', async () => {
    const listed = async (key: string) =>
      ((await as(key).get('/campaigns?limit=500').expect(200)).body.items as Array<{ id: string }>).map(
        (campaign) => campaign.id,
      );

    expect(await listed(KEYS.partial)).toEqual([unlabelledId]);
    expect(await listed(KEYS.unlabelled)).toEqual([unlabelledId]);
    expect(await listed(KEYS.holder)).toEqual(
      expect.arrayContaining([transactionalId, marketingId, unlabelledId]),
    );
  });

  it('refuses triggers, dry runs included, of a campaign whose labels the key lacks, as not found', async () => {
    const call = { campaignId: transactionalId, recipients: [orderShippedRecipient('b@example.com')] };
    for (const path of [
      '/im/executions/unitary',
      '/ajo/im/executions/unitary',
      '/im/executions/highthroughput',
    ]) {
      for (const dryRun of ['', '?dryRun=true']) {
        const res = await as(KEYS.partial)
          .post(`${path}${dryRun}`)
          .send({ ...call, requestId: `hidden-${path}-${dryRun}` });
        expect({ path, dryRun, status: res.status, code: res.body.code }).toEqual({
          path,
          dryRun,
          status: 404,
          code: 'campaign-not-found',
        });
      }
    }
    const audience = await as(KEYS.unlabelled)
      .post('/im/executions/audience')
      .send({ campaignId: marketingId });
    expect({ status: audience.status, code: audience.body.code }).toEqual({
      status: 404,
      code: 'campaign-not-found',
    });
    expect((await h.emailQueue.getJobCounts('waiting')).waiting).toBe(1);
  });

  it('accepts triggers from a key holding every label', async () => {
    const call = { campaignId: transactionalId, recipients: [orderShippedRecipient('c@example.com')] };

    await as(KEYS.holder)
      .post('/im/executions/unitary?dryRun=true')
      .send({ ...call, requestId: 'held-dry' })
      .expect(200);
    await as(KEYS.holder)
      .post('/im/executions/unitary')
      .send({ ...call, requestId: 'held-1' })
      .expect(202);
    await as(KEYS.every).post('/im/executions/audience').send({ campaignId: marketingId }).expect(202);
  });

  it('refuses with 403 labels-not-held a create or edit setting labels the key does not hold', async () => {
    const created = await as(KEYS.partial).post('/campaigns').send(labelled());
    expect(created.status).toBe(403);
    expect(created.body).toMatchObject({ code: 'labels-not-held', errors: [{ path: '/labels' }] });

    const own = (
      await as(KEYS.partial)
        .post('/campaigns')
        .send(labelled({ labels: ['eu'] }))
        .expect(201)
    ).body.id as string;
    const edited = await as(KEYS.partial)
      .put(`/campaigns/${own}`)
      .send(labelled({ labels: ['eu', 'finance'] }));
    expect(edited.status).toBe(403);
    expect(edited.body).toMatchObject({ code: 'labels-not-held', errors: [{ path: '/labels' }] });
    expect((await h.api.get(`/campaigns/${own}`).expect(200)).body).toMatchObject({ latestVersion: 1 });

    // Labels it holds it may add and remove.
    await as(KEYS.holder).put(`/campaigns/${own}`).send(labelled()).expect(200);
    await as(KEYS.holder).put(`/campaigns/${own}`).send(orderShippedCampaign()).expect(200);
    await as(KEYS.unlabelled).get(`/campaigns/${own}`).expect(200);
  });

  it('keys and credentials created with labels show them, and bad labels are refused', async () => {
    const key = await h.api
      .post('/api-keys')
      .send({ name: 'eu', roles: ['manage'], sandboxes: ['prod'], labels: ['eu'] })
      .expect(201);
    expect(key.body.labels).toEqual(['eu']);
    await request(h.runtime.app)
      .get(`/campaigns/${transactionalId}`)
      .set('x-api-key', key.body.key)
      .expect(404);
    await request(h.runtime.app).get(`/campaigns/${unlabelledId}`).set('x-api-key', key.body.key).expect(200);

    const credential = await h.api
      .post('/api-credentials')
      .send({ name: 'eu', roles: ['manage'], sandboxes: ['prod'], labels: LABELS })
      .expect(201);
    expect(credential.body.labels).toEqual(LABELS);

    const bad = await h.api
      .post('/api-keys')
      .send({ name: 'bad', roles: ['manage'], sandboxes: ['prod'], labels: ['no spaces'] })
      .expect(400);
    expect(bad.body.errors[0].path).toMatch(/^\/labels\/0/);
  });
});
