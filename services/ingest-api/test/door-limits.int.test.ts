import { Redis } from 'ioredis';
import { RedisKeys } from '@herald/queues';
import { orderShippedCampaign } from '@herald/testing';
import { MAX_JSON_DEPTH } from '../src/http/json-limits';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';
import { createLiveCampaign, waitingEmailJobs } from './trigger-setup.fixture';

/** Stands for a value given as JSON text to `withRawJson`. */
const RAW = '@raw@';

/**
 * The JSON text of `shell` with its `RAW` string replaced by `json`: values thousands of levels
 * deep overflow JSON.stringify itself, and a surrogate pair is sent as two `\u` escapes.
 */
function withRawJson(shell: unknown, json: string): string {
  return JSON.stringify(shell).replace(JSON.stringify(RAW), json);
}

/** `levels` arrays nested in one another (two bytes a level, as the fuzz run sent them). */
function nestedArraysText(levels: number): string {
  return `${'['.repeat(levels)}${']'.repeat(levels)}`;
}

/** `levels` objects nested under `key`. */
function nestedObjectsText(levels: number, key: string): string {
  return `${`{${JSON.stringify(key)}:`.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
}

/** `levels` arrays nested in one another, for values the test serialises itself. */
function nestedArrays(levels: number): unknown {
  let value: unknown = [];
  for (let level = 1; level < levels; level += 1) value = [value];
  return value;
}

const TRIGGER_PATHS = [
  '/im/executions/unitary',
  '/im/executions/highthroughput',
  '/ajo/im/executions/unitary',
  '/ajo/im/executions/highthroughput',
];

describe('JSON bodies refused at the door', () => {
  let h: ApiHarness;
  let redis: Redis;
  let campaignId: string;

  beforeAll(async () => {
    h = await startApiHarness('door-limits');
    redis = new Redis(h.config.redis.url);
    campaignId = await createLiveCampaign(h, orderShippedCampaign());
  });
  afterAll(async () => {
    redis.disconnect();
    await h.close();
  });
  beforeEach(async () => h.emailQueue.drain(true));

  const recipient = (fields: Record<string, unknown> = {}) => ({
    type: 'external',
    userId: 'crm-1',
    namespace: 'crmId',
    channelData: { emailAddress: 'user1@example.com' },
    context: { orderId: 'O-1', total: 10 },
    ...fields,
  });
  const idempotencyKeyExists = async (requestId: string) =>
    (await redis.exists(new RedisKeys(h.config.redis.queuePrefix).idempotency('prod', requestId))) === 1;
  const executionsOf = async (requestId: string) =>
    (await h.store.executions.listByCampaign('prod', campaignId)).items.filter(
      (execution) => execution.requestId === requestId,
    );

  it.each(TRIGGER_PATHS)(
    '%s: a recipient context nested 4,200 levels answers 400 json-too-deep and queues nothing',
    async (path) => {
      const requestId = `deep-context-${path}`;
      const res = await h.api
        .post(path)
        .type('json')
        .send(
          withRawJson(
            { requestId, campaignId, recipients: [recipient({ context: { orderId: RAW } })] },
            nestedArraysText(4200),
          ),
        )
        .expect(400)
        .expect('content-type', /application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 400, code: 'json-too-deep' });
      // The body is level 1, the recipients level 2, the recipient 3, its context 4.
      expect(res.body.errors).toEqual([
        {
          path: `/recipients/0/context/orderId${'/0'.repeat(MAX_JSON_DEPTH - 4)}`,
          code: 'json-too-deep',
          message: expect.any(String),
        },
      ]);
      expect(await waitingEmailJobs(h)).toBe(0);
      expect(await idempotencyKeyExists(requestId)).toBe(false);
    },
  );

  it('refuses a recipient profile nested 5,000 levels with 400, not a 503, and leaves the requestId free', async () => {
    const call = {
      requestId: 'deep-profile',
      campaignId,
      recipients: [recipient({ profile: { nested: RAW } })],
    };
    for (const path of ['/im/executions/unitary', '/im/executions/highthroughput']) {
      const res = await h.api
        .post(path)
        .type('json')
        .send(withRawJson(call, nestedArraysText(5000)))
        .expect(400);
      expect(res.body.code).toBe('json-too-deep');
      expect(res.headers['retry-after']).toBeUndefined();
    }
    expect(await idempotencyKeyExists('deep-profile')).toBe(false);
    expect(await executionsOf('deep-profile')).toEqual([]);

    // The same requestId, with the profile at level 4 holding arrays down to the limit: taken.
    const profile = { nested: nestedArrays(MAX_JSON_DEPTH - 4) };
    const accepted = await h.api
      .post('/im/executions/highthroughput')
      .send({ ...call, recipients: [recipient({ profile })] })
      .expect(202);
    const jobs = await h.emailQueue.getJobs(['waiting']);
    expect(jobs.map((job) => job.data.recipient.profile)).toEqual([profile]);
    expect(await executionsOf('deep-profile')).toMatchObject([
      { id: accepted.body.executionId, status: 'queued' },
    ]);
  });

  it('refuses a contextSchema nested 5,000 levels on create and update with 400 json-too-deep', async () => {
    const deepSchema = nestedObjectsText(5000, 'properties');
    const created = await h.api
      .post('/campaigns')
      .type('json')
      .send(withRawJson({ ...orderShippedCampaign(), name: 'Deep schema', contextSchema: RAW }, deepSchema))
      .expect(400);
    expect(created.body).toMatchObject({
      code: 'json-too-deep',
      errors: [{ path: `/contextSchema${'/properties'.repeat(MAX_JSON_DEPTH - 1)}` }],
    });
    const names = (await h.api.get('/campaigns').expect(200)).body.items.map(
      (campaign: { definition: { name: string } }) => campaign.definition.name,
    );
    expect(names).toEqual([orderShippedCampaign().name]);

    const before = await h.api.get(`/campaigns/${campaignId}`).expect(200);
    const updated = await h.api
      .put(`/campaigns/${campaignId}`)
      .set('if-match', String(before.headers.etag))
      .type('json')
      .send(withRawJson({ ...orderShippedCampaign(), contextSchema: RAW }, deepSchema))
      .expect(400);
    expect(updated.body.code).toBe('json-too-deep');
    expect((await h.api.get(`/campaigns/${campaignId}`).expect(200)).body).toEqual(before.body);
  });

  it('refuses an unpaired surrogate in a requestId, a key or a recipient id with 400 invalid-unicode and its path', async () => {
    const cases = [
      { body: { requestId: 'x\udfff', campaignId, recipients: [recipient()] }, path: '/requestId' },
      {
        body: { requestId: 'lone-key', campaignId, recipients: [recipient({ context: { '\ud800k': 1 } })] },
        path: '/recipients/0/context/\ud800k',
      },
      {
        body: { requestId: 'lone-user', campaignId, recipients: [recipient({ userId: 'crm\udc00' })] },
        path: '/recipients/0/userId',
      },
    ];
    for (const { body, path } of cases) {
      const res = await h.api.post('/im/executions/unitary').send(body).expect(400);
      expect(res.body).toMatchObject({
        code: 'invalid-unicode',
        errors: [{ path, code: 'invalid-unicode' }],
      });
    }
    expect(await waitingEmailJobs(h)).toBe(0);
    expect(await executionsOf('x\udfff')).toEqual([]);
    expect(await idempotencyKeyExists('lone-key')).toBe(false);
  });

  it('refuses an unpaired surrogate in a campaign name or a profile identity id, stores nothing, and keeps pairs', async () => {
    const campaign = await h.api
      .post('/campaigns')
      .send({ ...orderShippedCampaign(), name: 'Order \ud83d shipped' })
      .expect(400);
    expect(campaign.body).toMatchObject({ code: 'invalid-unicode', errors: [{ path: '/name' }] });

    const profile = await h.api
      .post('/profiles')
      .send({ identities: [{ namespace: 'email', id: 'ada\udfff@example.com' }] })
      .expect(400);
    expect(profile.body).toMatchObject({ code: 'invalid-unicode', errors: [{ path: '/identities/0/id' }] });
    expect(
      await h.store.profiles.findByIdentity('prod', { namespace: 'email', id: 'ada\ufffd@example.com' }),
    ).toBeNull();

    // A surrogate pair (an emoji, sent as two escapes) is kept as sent.
    const created = await h.api
      .post('/campaigns')
      .type('json')
      .send(withRawJson({ ...orderShippedCampaign(), name: RAW }, '"Rocket \\ud83d\\ude80"'))
      .expect(201);
    expect((await h.api.get(`/campaigns/${created.body.id}`).expect(200)).body.definition.name).toBe(
      'Rocket 🚀',
    );
  });
});
