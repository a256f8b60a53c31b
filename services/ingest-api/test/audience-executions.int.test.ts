import { hashApiKey } from '../src/auth/api-key-secret';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { FANOUT_QUEUE, fanOutJobId, type FanOutJobData } from '@herald/contracts';
import { orderShippedCampaign } from '@herald/testing';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';
import { createLiveCampaign } from './trigger-setup.fixture';

const marketing = (audienceId?: string) =>
  orderShippedCampaign({
    name: 'Spring sale',
    type: 'marketing',
    contextSchema: {
      type: 'object',
      properties: { promoCode: { type: 'string' }, orderId: { type: 'string' }, total: { type: 'number' } },
    },
    ...(audienceId ? { audience: { id: audienceId } } : {}),
  });

describe('audience executions API', () => {
  let h: ApiHarness;
  let connection: Redis;
  let fanOutQueue: Queue<FanOutJobData>;
  let campaignAudience: string;
  let otherAudience: string;
  let campaignId: string;

  beforeAll(async () => {
    h = await startApiHarness('audience-exec');
    connection = new Redis(h.config.redis.url, { maxRetriesPerRequest: null });
    fanOutQueue = new Queue<FanOutJobData>(FANOUT_QUEUE, { connection, prefix: h.config.redis.queuePrefix });
    const everyone = await h.api
      .post('/audiences')
      .send({ name: 'Everyone', kind: 'query', query: {} })
      .expect(201);
    campaignAudience = everyone.body.id;
    const vip = await h.api
      .post('/audiences')
      .send({ name: 'VIP', kind: 'static', identities: [{ namespace: 'email', id: 'vip@example.com' }] })
      .expect(201);
    otherAudience = vip.body.id;
    campaignId = await createLiveCampaign(h, marketing(campaignAudience));
  });
  afterAll(async () => {
    await fanOutQueue.obliterate({ force: true });
    await fanOutQueue.close();
    connection.disconnect();
    await h.close();
  });

  it("queues one fan-out job for the campaign's audience and reports the execution in progress", async () => {
    const res = await h.api
      .post('/im/executions/audience')
      .set('x-request-id', 'caller-trace-sale-1')
      .send({ requestId: 'sale-1', campaignId, context: { promoCode: 'SPRING' } })
      .expect(202);

    expect(res.body).toMatchObject({ executionId: expect.any(String), requestId: 'sale-1' });
    const admin = await h.store.apiKeys.findByHash(hashApiKey(h.adminKey));
    expect(res.body.createdBy).toBe(admin?.id);
    expect((await h.store.executions.get('prod', res.body.executionId))?.createdBy).toBe(admin?.id);
    // Kept once on the execution: the members' jobs refer to it instead of each carrying a copy.
    expect(await h.store.executions.getContext('prod', res.body.executionId)).toEqual({
      promoCode: 'SPRING',
    });
    const job = await fanOutQueue.getJob(fanOutJobId({ executionId: res.body.executionId }));
    expect(job?.data).toEqual({
      executionId: res.body.executionId,
      sandbox: 'prod',
      campaignId,
      campaignVersion: 1,
      audienceId: campaignAudience,
      context: { promoCode: 'SPRING' },
      // For the worker's log lines about the fan-out and its deliveries.
      xRequestId: 'caller-trace-sale-1',
    });
    const status = await h.api.get(`/im/executions/audience/${res.body.executionId}`).expect(200);
    expect(status.body).toEqual({
      executionId: res.body.executionId,
      campaignId,
      audienceId: campaignAudience,
      status: 'InProgress',
      targetedProfileCount: 0,
      createdAt: expect.any(String),
    });
  });

  it('refuses a context over API_MAX_CONTEXT_BYTES, naming it, and queues nothing', async () => {
    const before = await fanOutQueue.count();
    const res = await h.api
      .post('/im/executions/audience')
      .send({ campaignId, context: { promoCode: 'x'.repeat(h.config.api.maxContextBytes) } })
      .expect(400);
    expect(res.body).toMatchObject({
      code: 'invalid-context',
      errors: [{ path: '/context', code: 'context-too-large' }],
    });
    expect(await fanOutQueue.count()).toBe(before);
  });

  it("sends to the call's audience rather than the campaign's", async () => {
    const res = await h.api
      .post('/im/executions/audience')
      .send({ campaignId, audience: { id: otherAudience } })
      .expect(202);

    const job = await fanOutQueue.getJob(fanOutJobId({ executionId: res.body.executionId }));
    expect(job?.data.audienceId).toBe(otherAudience);
  });

  it('schedules a future execution as a delayed job, and a cancelled schedule is gone', async () => {
    const executeAt = new Date(Date.now() + 3_600_000).toISOString();
    const res = await h.api
      .post('/im/executions/audience')
      .send({ campaignId, schedule: { executeAt } })
      .expect(202);

    expect(res.body).toEqual({
      scheduleId: expect.any(String),
      campaignId,
      audience: { id: campaignAudience },
      executeAt,
      scheduleStatus: 'Scheduled',
    });
    const jobId = fanOutJobId({ scheduleId: res.body.scheduleId });
    expect(await (await fanOutQueue.getJob(jobId))?.isDelayed()).toBe(true);
    const read = await h.api.get(`/im/executions/schedules/${res.body.scheduleId}`).expect(200);
    expect(read.body).toEqual(res.body);

    await h.api.delete(`/im/executions/schedules/${res.body.scheduleId}`).expect(200, {});

    expect(await fanOutQueue.getJob(jobId)).toBeUndefined();
    await h.api.get(`/im/executions/schedules/${res.body.scheduleId}`).expect(404);
    await h.api.delete(`/im/executions/schedules/${res.body.scheduleId}`).expect(404);
  });

  it('answers a repeated requestId with the first answer and queues one fan-out; another body is 409', async () => {
    const body = { requestId: 'audience-once', campaignId, context: { promoCode: 'ONCE' } };
    const first = await h.api.post('/im/executions/audience').send(body).expect(202);
    const again = await h.api.post('/im/executions/audience').send(body).expect(202);
    expect(again.body).toEqual(first.body);
    const jobs = await fanOutQueue.getJobs(['waiting', 'active', 'completed', 'delayed', 'failed']);
    expect(jobs.filter((job) => job.data.executionId === first.body.executionId)).toHaveLength(1);
    expect(jobs.filter((job) => job.data.context?.promoCode === 'ONCE')).toHaveLength(1);
    const changed = await h.api
      .post('/im/executions/audience')
      .send({ ...body, context: { promoCode: 'TWICE' } })
      .expect(409);
    expect(changed.body.code).toBe('request-id-reused');
  });

  it('keeps one schedule for a repeated requestId of a scheduled call', async () => {
    const executeAt = new Date(Date.now() + 3_600_000).toISOString();
    const body = { requestId: 'schedule-once', campaignId, schedule: { executeAt } };
    const first = await h.api.post('/im/executions/audience').send(body).expect(202);
    const again = await h.api.post('/im/executions/audience').send(body).expect(202);
    expect(again.body.scheduleId).toBe(first.body.scheduleId);
    const delayed = await fanOutQueue.getDelayed();
    expect(delayed.filter((job) => job.data.scheduleId === first.body.scheduleId)).toHaveLength(1);
  });

  it('runs an executeAt in the past now', async () => {
    const res = await h.api
      .post('/im/executions/audience')
      .send({ campaignId, schedule: { executeAt: new Date(Date.now() - 1000).toISOString() } })
      .expect(202);

    expect(res.body.executionId).toEqual(expect.any(String));
    expect(res.body.scheduleId).toBeUndefined();
  });

  it('refuses a transactional campaign: audiences are for marketing sends', async () => {
    const transactional = await createLiveCampaign(
      h,
      orderShippedCampaign({ audience: { id: campaignAudience } }),
    );

    const res = await h.api.post('/im/executions/audience').send({ campaignId: transactional }).expect(422);

    expect(res.body.code).toBe('wrong-endpoint-for-campaign');
  });

  it('refuses a call without any audience, and an unknown audience', async () => {
    const noAudience = await createLiveCampaign(h, marketing());

    const missing = await h.api.post('/im/executions/audience').send({ campaignId: noAudience }).expect(400);
    const unknown = await h.api
      .post('/im/executions/audience')
      .send({ campaignId, audience: { id: 'no-such-audience' } })
      .expect(404);

    expect(missing.body.code).toBe('audience-required');
    expect(unknown.body.code).toBe('audience-not-found');
  });

  it("refuses a context that does not match the campaign's contextSchema", async () => {
    const res = await h.api
      .post('/im/executions/audience')
      .send({ campaignId, context: { promoCode: 42 } })
      .expect(400);

    expect(res.body.errors).toEqual([expect.objectContaining({ path: '/context/promoCode', code: 'type' })]);
  });

  it('answers 404 for an unknown execution and for a unitary one', async () => {
    const unitary = await h.store.executions.create({
      id: 'unitary-exec',
      sandbox: 'prod',
      kind: 'unitary',
      campaignId,
      campaignVersion: 1,
      requestId: 'r',
      recipientCount: 1,
    });

    await h.api.get('/im/executions/audience/no-such-execution').expect(404);
    await h.api.get(`/im/executions/audience/${unitary.id}`).expect(404);
  });

  it('needs the execute role', async () => {
    await h.api.get('/im/executions/schedules/anything').set('authorization', 'Bearer wrong-key').expect(401);
  });
});
