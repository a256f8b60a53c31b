import { orderShippedCampaign, uniqueQueuePrefix } from '@herald/testing';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';
import { createLiveCampaign, waitingEmailJobs } from './trigger-setup.fixture';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The rate limit counts in one-second windows: start a burst at the beginning of one. */
const startOfNextSecond = () => sleep(1000 - (Date.now() % 1000) + 5);

const external = (index: number) => ({
  type: 'external',
  userId: `crm-${index}`,
  namespace: 'crmId',
  channelData: { emailAddress: `user${index}@example.com` },
  context: { orderId: `O-${index}`, total: 10 },
});

describe('per-API-key rate limit', () => {
  let first: ApiHarness;
  let second: ApiHarness;

  beforeAll(async () => {
    first = await startApiHarness('rate-limit', { API_RATE_LIMIT_PER_SECOND: '5' });
    // Another API process of the same deployment: same Redis prefix, same store (same key ids).
    second = await startApiHarness('rate-limit-2', {
      API_RATE_LIMIT_PER_SECOND: '5',
      QUEUE_PREFIX: first.config.redis.queuePrefix,
      HERALD_DATA_DIR: first.dir.path,
    });
  });
  afterAll(async () => {
    await second.close();
    await first.close();
  });

  const call = (h: ApiHarness) => h.api.post('/im/executions/unitary').send({});

  it('answers 429 rate-limited with Retry-After once a key passes its calls per second', async () => {
    const answers = await Promise.all(Array.from({ length: 12 }, () => call(first)));
    const limited = answers.filter((res) => res.status === 429);
    // Twelve calls span at most two windows of five.
    expect(limited.length).toBeGreaterThanOrEqual(2);
    expect(answers.filter((res) => res.status !== 429).every((res) => res.status === 400)).toBe(true);
    expect(limited[0]?.body).toMatchObject({ status: 429, code: 'rate-limited' });
    expect(Number(limited[0]?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('shares one counter per key between API processes', async () => {
    await startOfNextSecond();
    const fromFirst = await Promise.all(Array.from({ length: 5 }, () => call(first)));
    expect(fromFirst.map((res) => res.status)).toEqual([400, 400, 400, 400, 400]);
    const fromSecond = await call(second);
    expect(fromSecond.status).toBe(429);
  });

  it('leaves routes outside the execution API alone', async () => {
    await startOfNextSecond();
    const answers = await Promise.all(Array.from({ length: 8 }, () => first.api.get('/campaigns')));
    expect(answers.map((res) => res.status)).toEqual(Array.from({ length: 8 }, () => 200));
  });
});

describe('per-API-key rate of author tools', () => {
  let h: ApiHarness;
  let campaignId: string;
  beforeAll(async () => {
    h = await startApiHarness('author-tools-rate', {
      AUTHOR_TOOLS_RATE_LIMIT_PER_SECOND: '3',
      API_RATE_LIMIT_PER_SECOND: '0',
    });
    campaignId = await createLiveCampaign(h, orderShippedCampaign());
  });
  afterAll(() => h.close());

  it('answers 429 once a key passes its previews per second, and leaves the other routes alone', async () => {
    await startOfNextSecond();
    const preview = () =>
      h.api.post(`/campaigns/${campaignId}/preview`).send({ context: { orderId: 'P-1', total: 1 } });
    // Ten previews of three a second span at most three windows even on a slow machine.
    const answers = await Promise.all(Array.from({ length: 10 }, preview));
    const limited = answers.filter((res) => res.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(answers.filter((res) => res.status !== 429).every((res) => res.status === 200)).toBe(true);
    expect(limited[0]?.body).toMatchObject({ code: 'rate-limited' });
    // Reading campaigns and triggering have budgets of their own (the latter off here).
    expect((await h.api.get(`/campaigns/${campaignId}`)).status).toBe(200);
    expect((await h.api.post('/im/executions/unitary').send({})).status).toBe(400);
  });
});

describe('queue-depth backpressure', () => {
  let h: ApiHarness;
  let campaignId: string;

  beforeAll(async () => {
    h = await startApiHarness('backpressure', {
      QUEUE_MAX_WAITING: '3',
      QUEUE_PREFIX: uniqueQueuePrefix('bp'),
    });
    campaignId = await createLiveCampaign(h, orderShippedCampaign());
  });
  afterAll(async () => h.close());

  const trigger = (requestId: string) =>
    h.api
      .post('/im/executions/highthroughput')
      .send({ requestId, campaignId, recipients: [external(0), external(1)] });

  it('answers 503 queue-full with Retry-After once the channel queue holds more than the bound', async () => {
    const accepted = await trigger('bp-1').expect(202);
    await trigger('bp-2').expect(202);
    // The waiting count is cached for 250 ms.
    await sleep(300);
    const res = await trigger('bp-3').expect(503);
    expect(res.body).toMatchObject({ status: 503, code: 'queue-full' });
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await waitingEmailJobs(h)).toBe(4);

    // A retry of a call that was queued gets its answer, full queue or not: it queues nothing.
    expect((await trigger('bp-1').expect(202)).body).toEqual(accepted.body);
    expect(await waitingEmailJobs(h)).toBe(4);

    await h.emailQueue.drain(true);
    await sleep(300);
    await trigger('bp-3').expect(202);
  });

  it('refuses unitary calls the same way while the queue is over the bound', async () => {
    await h.emailQueue.drain(true);
    await trigger('bp-u-1').expect(202);
    await trigger('bp-u-2').expect(202);
    await sleep(300);
    const unitary = await h.api
      .post('/im/executions/unitary')
      .send({
        requestId: 'bp-u-3',
        campaignId,
        recipients: [
          { type: 'aep', userId: 'u@example.com', namespace: 'email', context: { orderId: 'o', total: 1 } },
        ],
      })
      .expect(503);
    expect(unitary.body.code).toBe('queue-full');
    expect(await waitingEmailJobs(h)).toBe(4);
  });
});
