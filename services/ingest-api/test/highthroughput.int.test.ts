import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CampaignDefinition } from '@herald/contracts';
import { orderShippedCampaign, startServiceProcess, waitFor, type ServiceProcess } from '@herald/testing';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';
import { createLiveCampaign, waitingEmailJobs } from './trigger-setup.fixture';

const smsCampaign = (): CampaignDefinition => ({
  name: 'Order shipped (SMS)',
  type: 'transactional',
  channel: 'sms',
  channelConfig: { sms: { sender: '+33612345678' } },
  content: { defaultLocale: 'en', locales: { en: { body: 'Order {{ context.orderId }} shipped' } } },
  contextSchema: { type: 'object', properties: { orderId: { type: 'string' } } },
  identityNamespace: 'phone',
  createProfiles: false,
});

describe('POST /im/executions/highthroughput', () => {
  let h: ApiHarness;
  let campaignId: string;

  beforeAll(async () => {
    h = await startApiHarness('highthroughput');
    campaignId = await createLiveCampaign(h, orderShippedCampaign());
  });
  afterAll(async () => h.close());
  beforeEach(async () => h.emailQueue.drain(true));

  const external = (index: number) => ({
    type: 'external',
    userId: `crm-${index}`,
    namespace: 'crmId',
    channelData: { emailAddress: `user${index}@example.com` },
    profile: { person: { name: { firstName: `User${index}` } } },
    context: { orderId: `O-${index}`, total: 10 },
  });

  it('queues one job per external recipient, marked high-throughput, and answers 202 as unitary does', async () => {
    const res = await h.api
      .post('/im/executions/highthroughput')
      .send({ requestId: 'ht-1', campaignId, recipients: [external(0), external(1)] })
      .expect(202);
    expect(res.body).toEqual({
      executionId: expect.any(String),
      requestId: 'ht-1',
      createdAt: expect.any(String),
      createdBy: expect.any(String),
      modifiedAt: expect.any(String),
      modifiedBy: expect.any(String),
    });
    const jobs = await h.emailQueue.getJobs(['waiting']);
    expect(jobs.map((job) => job.id).sort()).toEqual(
      [`${res.body.executionId}-r0`, `${res.body.executionId}-r1`].sort(),
    );
    for (const job of jobs) {
      expect(job.data).toMatchObject({ mode: 'highthroughput', channel: 'email', campaignId });
    }
    expect(await h.store.executions.get('prod', res.body.executionId)).toMatchObject({
      kind: 'highthroughput',
      status: 'queued',
      recipientCount: 2,
    });
  });

  it('answers a repeated call with the first response and queues nothing more', async () => {
    const call = { requestId: 'ht-replay', campaignId, recipients: [external(0)] };
    const first = await h.api.post('/im/executions/highthroughput').send(call).expect(202);
    const again = await h.api.post('/im/executions/highthroughput').send(call).expect(202);
    expect(again.body).toEqual(first.body);
    expect(await waitingEmailJobs(h)).toBe(1);
    const changed = await h.api
      .post('/im/executions/highthroughput')
      .send({ ...call, recipients: [external(1)] })
      .expect(409);
    expect(changed.body.code).toBe('request-id-reused');
  });

  it('refuses aep recipients with their index, and queues nothing', async () => {
    const res = await h.api
      .post('/im/executions/highthroughput')
      .send({
        requestId: 'ht-aep',
        campaignId,
        recipients: [
          external(0),
          { type: 'aep', userId: 'ada@example.com', namespace: 'email', context: { orderId: 'A', total: 1 } },
        ],
      })
      .expect(400);
    expect(res.body.errors).toEqual([
      {
        recipientIndex: 1,
        path: '/recipients/1/type',
        code: 'external-recipients-only',
        message: expect.any(String),
      },
    ]);
    expect(await waitingEmailJobs(h)).toBe(0);
  });

  it('refuses a campaign of another channel than e-mail with 422', async () => {
    const smsCampaignId = await createLiveCampaign(h, smsCampaign());
    const res = await h.api
      .post('/im/executions/highthroughput')
      .send({
        requestId: 'ht-sms',
        campaignId: smsCampaignId,
        recipients: [{ type: 'external', userId: '+33612345678', namespace: 'phone' }],
      })
      .expect(422);
    expect(res.body.code).toBe('channel-not-supported-by-endpoint');
    expect(await waitingEmailJobs(h)).toBe(0);
  });

  it('refuses a marketing campaign with 422: audiences are sent through the audience endpoint', async () => {
    const marketingId = await createLiveCampaign(h, orderShippedCampaign({ type: 'marketing' }));
    const res = await h.api
      .post('/im/executions/highthroughput')
      .send({ requestId: 'ht-marketing', campaignId: marketingId, recipients: [external(0)] })
      .expect(422);
    expect(res.body.code).toBe('wrong-endpoint-for-campaign');
    expect(await waitingEmailJobs(h)).toBe(0);
  });

  it('refuses a dryRun value other than true or false', async () => {
    const res = await h.api
      .post('/im/executions/highthroughput?dryRun=maybe')
      .send({ requestId: 'ht-maybe', campaignId, recipients: [external(0)] })
      .expect(400);
    expect(res.body.errors[0]).toMatchObject({ path: '/query/dryRun' });
    expect(await waitingEmailJobs(h)).toBe(0);
  });

  it('renders every recipient on a dry run and queues nothing', async () => {
    const res = await h.api
      .post('/im/executions/highthroughput?dryRun=true')
      .send({ requestId: 'ht-dry', campaignId, recipients: [external(0), external(1)] })
      .expect(200);
    expect(res.body).toMatchObject({ dryRun: true, campaignId, campaignVersion: 1 });
    expect(res.body.recipients).toEqual([
      expect.objectContaining({
        index: 0,
        outcome: 'send',
        address: 'user0@example.com',
        message: expect.objectContaining({ subject: 'Hi User0, order O-0' }),
      }),
      expect.objectContaining({ index: 1, outcome: 'send', address: 'user1@example.com' }),
    ]);
    expect(await waitingEmailJobs(h)).toBe(0);
    // A dry run claims nothing: the same requestId can still be sent for real.
    await h.api
      .post('/im/executions/highthroughput')
      .send({ requestId: 'ht-dry', campaignId, recipients: [external(0), external(1)] })
      .expect(202);
  });
});

describe('a highthroughput trigger, delivered by a worker process', () => {
  let h: ApiHarness;
  let worker: ServiceProcess;

  beforeAll(async () => {
    h = await startApiHarness('highthroughput-e2e');
    worker = startServiceProcess(
      path.resolve(__dirname, '../../worker/dist/index.js'),
      {
        REDIS_URL: h.config.redis.url,
        QUEUE_PREFIX: h.config.redis.queuePrefix,
        HERALD_DATA_DIR: h.dir.path,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
      },
      process.env,
    );
    await worker.waitForLog((line) => line.msg === 'worker ready');
  });
  afterAll(async () => {
    await worker?.stop();
    await h.close();
  });

  it('sends to the address of the call, rendered with its inline profile, and creates no profile', async () => {
    const campaignId = await createLiveCampaign(h, orderShippedCampaign({ createProfiles: true }));
    const accepted = await h.api
      .post('/im/executions/highthroughput')
      .send({
        requestId: 'ht-e2e',
        campaignId,
        recipients: [
          {
            type: 'external',
            userId: 'grace@example.com',
            namespace: 'email',
            profile: { person: { name: { firstName: 'Grace' } } },
            context: { orderId: 'G-9', total: 1 },
          },
        ],
      })
      .expect(202);
    const deliveries = await waitFor(
      async () => {
        const page = await h.store.deliveries.listByExecution('prod', accepted.body.executionId);
        return page.items.length === 1 && page.items[0]?.status === 'sent' ? page.items : undefined;
      },
      { timeoutMs: 20_000, description: 'the delivery sent' },
    );
    expect(deliveries[0]).toMatchObject({ address: 'grace@example.com' });
    expect(deliveries[0]?.profileId).toBeUndefined();
    const eml = readFileSync(
      path.join(h.config.outbox.dir, 'email', `${accepted.body.executionId}-r0.eml`),
      'utf8',
    );
    expect(eml).toContain('Subject: Hi Grace, order G-9');
    expect(
      await h.store.profiles.findByIdentity('prod', { namespace: 'email', id: 'grace@example.com' }),
    ).toBeNull();
  });
});
