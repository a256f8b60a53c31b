import { Redis } from 'ioredis';
import { orderShippedCampaign } from '@herald/testing';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';
import { createLiveCampaign, waitingEmailJobs } from './trigger-setup.fixture';
import { RedisKeys } from '@herald/queues';

describe('POST /im/executions/unitary', () => {
  let h: ApiHarness;
  let campaignId: string;

  beforeAll(async () => {
    h = await startApiHarness('unitary');
    campaignId = await createLiveCampaign(h, orderShippedCampaign());
  });
  afterAll(async () => h.close());
  beforeEach(async () => h.emailQueue.drain(true));

  const recipient = (
    index: number,
    context: Record<string, unknown> = { orderId: `O-${index}`, total: 10 },
  ) => ({
    type: 'aep',
    userId: `user${index}@example.com`,
    namespace: 'email',
    context,
  });

  it('queues one job per recipient and answers 202 with the AJO body', async () => {
    const res = await h.api
      .post('/im/executions/unitary')
      .send({ requestId: 'req-1', campaignId, recipients: [recipient(0), recipient(1), recipient(2)] })
      .expect(202);
    expect(res.body).toEqual({
      executionId: expect.any(String),
      requestId: 'req-1',
      createdAt: expect.any(String),
      createdBy: expect.stringMatching(/.+/),
      modifiedAt: expect.any(String),
      modifiedBy: expect.stringMatching(/.+/),
    });
    const jobs = await h.emailQueue.getJobs(['waiting']);
    expect(jobs.map((job) => job.id).sort()).toEqual(
      [0, 1, 2].map((index) => `${res.body.executionId}-r${index}`).sort(),
    );
    expect(jobs.find((job) => job.id?.endsWith('-r1'))?.data).toMatchObject({
      campaignId,
      campaignVersion: 1,
      recipientIndex: 1,
      recipient: { userId: 'user1@example.com', context: { orderId: 'O-1', total: 10 } },
    });
    const execution = await h.store.executions.get('prod', res.body.executionId);
    expect(execution).toMatchObject({ status: 'queued', recipientCount: 3, campaignVersion: 1 });
  });

  it('refuses an unknown campaign with 404 and queues nothing', async () => {
    const res = await h.api
      .post('/im/executions/unitary')
      .send({ requestId: 'req-2', campaignId: 'no-such-campaign', recipients: [recipient(0)] })
      .expect(404)
      .expect('content-type', /application\/problem\+json/);
    expect(res.body).toMatchObject({
      status: 404,
      code: 'campaign-not-found',
      report: { additionalContext: { requestId: 'req-2', campaignId: 'no-such-campaign' } },
    });
    expect(await waitingEmailJobs(h)).toBe(0);
  });

  it('refuses more than 20 recipients and queues nothing', async () => {
    const recipients = Array.from({ length: 21 }, (_, index) => recipient(index));
    const res = await h.api
      .post('/im/executions/unitary')
      .send({ requestId: 'req-3', campaignId, recipients })
      .expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: '/recipients', code: 'maxItems' })]);
    expect(await waitingEmailJobs(h)).toBe(0);
  });

  it('lists every recipient whose context breaks the campaign schema, and queues nothing', async () => {
    const res = await h.api
      .post('/im/executions/unitary')
      .send({
        requestId: 'req-4',
        campaignId,
        recipients: [
          recipient(0),
          recipient(1, { orderId: 'O-1' }),
          recipient(2),
          recipient(3, { orderId: 'O-3', total: -5, extra: true }),
          { ...recipient(4), type: 'robot' },
        ],
      })
      .expect(400);
    expect(res.body.code).toBe('invalid-recipients');
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        {
          recipientIndex: 1,
          path: '/recipients/1/context/total',
          code: 'required',
          message: expect.any(String),
        },
        {
          recipientIndex: 3,
          path: '/recipients/3/context/total',
          code: 'minimum',
          message: expect.any(String),
        },
        {
          recipientIndex: 3,
          path: '/recipients/3/context/extra',
          code: 'additionalProperties',
          message: expect.any(String),
        },
        { recipientIndex: 4, path: '/recipients/4/type', code: 'enum', message: expect.any(String) },
      ]),
    );
    expect(new Set(res.body.errors.map((e: { recipientIndex: number }) => e.recipientIndex))).toEqual(
      new Set([1, 3, 4]),
    );
    expect(await waitingEmailJobs(h)).toBe(0);
  });

  it('refuses an external recipient of an e-mail campaign that has no address', async () => {
    const res = await h.api
      .post('/im/executions/unitary')
      .send({
        requestId: 'req-5',
        campaignId,
        recipients: [
          {
            type: 'external',
            userId: 'not-an-address',
            namespace: 'crm',
            context: { orderId: 'x', total: 1 },
          },
        ],
      })
      .expect(400);
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        recipientIndex: 0,
        path: '/recipients/0/channelData/emailAddress',
        code: 'missing-address',
      }),
    ]);
    expect(await waitingEmailJobs(h)).toBe(0);
  });

  it('refuses malformed JSON with a problem body', async () => {
    const res = await h.api
      .post('/im/executions/unitary')
      .set('content-type', 'application/json')
      .send('{"requestId": "r", "campaignId": ')
      .expect(400)
      .expect('content-type', /application\/problem\+json/);
    expect(res.body).toMatchObject({
      code: 'malformed-json',
      errors: [{ path: '/', code: 'malformed-json' }],
    });
    expect(await waitingEmailJobs(h)).toBe(0);
  });

  it('names every missing or unknown top-level field', async () => {
    const res = await h.api
      .post('/im/executions/unitary')
      .send({ campaignId, recipients: [], surprise: 1 })
      .expect(400);
    expect(res.body.errors.map((e: { path: string; code: string }) => `${e.path} ${e.code}`).sort()).toEqual([
      '/recipients minItems',
      '/requestId required',
      '/surprise additionalProperties',
    ]);
  });

  it('refuses a body over the size limit with 413', async () => {
    const huge = 'x'.repeat(h.config.api.maxBodyBytes + 10);
    const res = await h.api
      .post('/im/executions/unitary')
      .send({ requestId: 'req-6', campaignId, recipients: [recipient(0, { orderId: huge, total: 1 })] })
      .expect(413);
    expect(res.body.code).toBe('payload-too-large');
    expect(await waitingEmailJobs(h)).toBe(0);
  });

  it('refuses a recipient whose context is over the per-recipient limit', async () => {
    const big = 'x'.repeat(h.config.api.maxContextBytes);
    const res = await h.api
      .post('/im/executions/unitary')
      .send({
        requestId: 'req-7',
        campaignId,
        recipients: [recipient(0), recipient(1, { orderId: big, total: 1 })],
      })
      .expect(400);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ recipientIndex: 1, code: 'context-too-large' }),
    ]);
    expect(await waitingEmailJobs(h)).toBe(0);
  });

  it('refuses a campaign that is not live with 409', async () => {
    const draft = await h.api.post('/campaigns').send(orderShippedCampaign()).expect(201);
    const res = await h.api
      .post('/im/executions/unitary')
      .send({ requestId: 'req-8', campaignId: draft.body.id, recipients: [recipient(0)] })
      .expect(409);
    expect(res.body.code).toBe('campaign-not-live');
    expect(await waitingEmailJobs(h)).toBe(0);
  });

  it('keeps sandboxes apart: a campaign of one sandbox cannot be triggered from another', async () => {
    await h.api
      .post('/im/executions/unitary')
      .set('x-sandbox-name', 'dev')
      .send({ requestId: 'req-9', campaignId, recipients: [recipient(0)] })
      .expect(404);
    expect(await waitingEmailJobs(h)).toBe(0);
  });

  it('refuses the same recipient twice in one call, listing every repeat', async () => {
    const res = await h.api
      .post('/im/executions/unitary')
      .send({
        requestId: 'req-10',
        campaignId,
        recipients: [
          recipient(0),
          recipient(1),
          { ...recipient(0), userId: 'USER0@example.com' },
          recipient(1),
          { ...recipient(1), type: 'external', channelData: { emailAddress: 'user1@example.com' } },
        ],
      })
      .expect(400);
    expect(res.body.code).toBe('duplicate-recipient');
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        recipientIndex: 2,
        path: '/recipients/2/userId',
        code: 'duplicate-recipient',
      }),
      expect.objectContaining({
        recipientIndex: 3,
        path: '/recipients/3/userId',
        code: 'duplicate-recipient',
      }),
    ]);
    expect(await waitingEmailJobs(h)).toBe(0);
  });

  it('refuses a marketing campaign with 422: it is triggered through the audience endpoint', async () => {
    const marketingId = await createLiveCampaign(h, orderShippedCampaign({ type: 'marketing' }));
    const res = await h.api
      .post('/im/executions/unitary')
      .send({ requestId: 'req-11', campaignId: marketingId, recipients: [recipient(0)] })
      .expect(422);
    expect(res.body.code).toBe('wrong-endpoint-for-campaign');
    expect(await waitingEmailJobs(h)).toBe(0);
  });

  describe('with dryRun=true', () => {
    it('answers what each recipient would be sent, and queues, records and creates nothing', async () => {
      const res = await h.api
        .post('/im/executions/unitary?dryRun=true')
        .send({
          requestId: 'dry-1',
          campaignId,
          recipients: [
            recipient(0),
            {
              type: 'external',
              userId: 'crm-7',
              namespace: 'crm',
              channelData: { emailAddress: 'grace@example.com' },
              context: { orderId: 'G-7', total: 3 },
            },
          ],
        })
        .expect(200);
      expect(res.body).toEqual({
        dryRun: true,
        campaignId,
        campaignVersion: 1,
        recipients: [
          {
            index: 0,
            outcome: 'send',
            address: 'user0@example.com',
            locale: 'en',
            wouldCreateProfile: true,
            message: expect.objectContaining({ channel: 'email', subject: 'Hi there, order O-0' }),
          },
          {
            index: 1,
            outcome: 'send',
            address: 'grace@example.com',
            locale: 'en',
            message: expect.objectContaining({ to: 'grace@example.com', text: 'Order G-7: 3 EUR' }),
          },
        ],
      });
      expect(await waitingEmailJobs(h)).toBe(0);
      expect((await h.store.executions.listByCampaign('prod', campaignId)).items).toEqual(
        expect.not.arrayContaining([expect.objectContaining({ requestId: 'dry-1' })]),
      );
      expect(
        await h.store.profiles.findByIdentity('prod', { namespace: 'email', id: 'user0@example.com' }),
      ).toBeNull();
      const redis = new Redis(h.config.redis.url);
      try {
        expect(
          await redis.exists(new RedisKeys(h.config.redis.queuePrefix).idempotency('prod', 'dry-1')),
        ).toBe(0);
      } finally {
        redis.disconnect();
      }
    });

    it('reports a recipient without a profile as excluded when the campaign excludes unknown profiles', async () => {
      const noProfilesId = await createLiveCampaign(
        h,
        orderShippedCampaign({ createProfiles: false, unknownProfiles: 'exclude' }),
      );
      const res = await h.api
        .post('/im/executions/unitary?dryRun=true')
        .send({ requestId: 'dry-2', campaignId: noProfilesId, recipients: [recipient(0)] })
        .expect(200);
      expect(res.body.recipients).toEqual([{ index: 0, outcome: 'excluded', reason: 'profile-not-found' }]);
    });

    it('validates like a real call', async () => {
      const res = await h.api
        .post('/im/executions/unitary?dryRun=true')
        .send({ requestId: 'dry-3', campaignId, recipients: [recipient(0, { orderId: 'O-0' })] })
        .expect(400);
      expect(res.body.code).toBe('invalid-recipients');
    });
  });

  it('answers 422 when a stored campaign has a context schema that cannot be compiled', async () => {
    const definition = {
      ...orderShippedCampaign(),
      contextSchema: { type: 'object', $ref: '#/$defs/missing' },
    };
    const stored = await h.store.campaigns.create({ sandbox: 'prod', definition });
    await h.store.campaigns.transition('prod', stored.id, { from: ['draft'], to: 'live', liveVersion: 1 });
    const res = await h.api
      .post('/im/executions/unitary')
      .send({ requestId: 'req-bad-schema', campaignId: stored.id, recipients: [recipient(0)] })
      .expect(422);
    expect(res.body.code).toBe('invalid-context-schema');
    expect(await waitingEmailJobs(h)).toBe(0);
  });
});
