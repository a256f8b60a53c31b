import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import request from 'supertest';
import { QUEUE_NAMES, type DeliveryJobData } from '@herald/contracts';
import { waitFor } from '@herald/testing';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';

const MANAGE_KEY = 'board-manage-key-0123456789abcdefghij';
const SANDBOX_ADMIN_KEY = 'board-sandbox-admin-key-0123456789abcdef';
const ALL_SANDBOXES_ADMIN_KEY = 'board-all-sandboxes-admin-key-0123456789';
const basic = (key: string) => `Basic ${Buffer.from(`operator:${key}`).toString('base64')}`;

const deliveryData = (executionId: string): DeliveryJobData => ({
  executionId,
  deliveryId: `${executionId}-r0`,
  sandbox: 'prod',
  campaignId: 'order-shipped',
  campaignVersion: 1,
  channel: 'email',
  recipientIndex: 0,
  queuedAt: new Date().toISOString(),
  recipient: {
    type: 'external',
    userId: 'alice@example.com',
    namespace: 'email',
    channelData: { emailAddress: 'alice@example.com' },
    profile: { firstName: 'Alicia', loyaltyTier: 'platinum' },
    context: { orderId: 'ORDER-778899' },
  },
});

/** A delivery job in the dead letter: queued once, failed by a worker on its only attempt. */
async function deadLetterJob(h: ApiHarness, executionId: string): Promise<string> {
  const job = await h.emailQueue.add('deliver', deliveryData(executionId), {
    jobId: `${executionId}-r0`,
    attempts: 1,
    removeOnFail: false,
  });
  const connection = new Redis(h.config.redis.url, { maxRetriesPerRequest: null });
  const worker = new Worker(
    QUEUE_NAMES.email,
    async () => {
      throw new Error('SendGrid rejected the message (HTTP 400) for alice@example.com');
    },
    { connection, prefix: h.config.redis.queuePrefix },
  );
  try {
    await waitFor(async () => (await job.getState()) === 'failed');
  } finally {
    await worker.close();
    connection.disconnect();
  }
  return job.id as string;
}

describe('Bull Board at /admin/queues', () => {
  let h: ApiHarness;
  let failedJobId: string;

  beforeAll(async () => {
    h = await startApiHarness('bull-board');
    await h.addApiKey(MANAGE_KEY, { name: 'manager', roles: ['manage'], sandboxes: ['*'] });
    await h.addApiKey(SANDBOX_ADMIN_KEY, { name: 'admin of a', roles: ['admin'], sandboxes: ['a'] });
    await h.addApiKey(ALL_SANDBOXES_ADMIN_KEY, { name: 'admin of all', roles: ['admin'], sandboxes: ['*'] });
    failedJobId = await deadLetterJob(h, 'board-exec-1');
  });
  afterAll(async () => h.close());

  const anonymous = () => request(h.runtime.app);

  it('challenges a caller without a valid key for Basic credentials, on every page, asset and API call', async () => {
    for (const path of [
      '/admin/queues',
      '/admin/queues/api/queues',
      '/admin/queues/static/favicon-32x32.png',
    ]) {
      const res = await anonymous().get(path).expect(401);
      expect({ path, challenge: res.headers['www-authenticate'] }).toEqual({
        path,
        challenge: 'Basic realm="herald"',
      });
    }
    const wrong = await anonymous().get('/admin/queues').set('authorization', basic('not-a-key')).expect(401);
    expect(wrong.headers['www-authenticate']).toBe('Basic realm="herald"');
    expect(wrong.text).not.toContain('not-a-key');
  });

  it('refuses a key without the admin role, however it is presented', async () => {
    await anonymous().get('/admin/queues').set('authorization', basic(MANAGE_KEY)).expect(403);
    await anonymous().get('/admin/queues/api/queues').set('x-api-key', MANAGE_KEY).expect(403);
  });

  it('refuses an admin key bound to some sandboxes, since the board shows every sandbox', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      const res = await anonymous().get(path).set('authorization', basic(SANDBOX_ADMIN_KEY)).expect(403);
      expect({ path, type: res.headers['content-type'], code: res.body.code }).toEqual({
        path,
        type: expect.stringMatching(/^application\/problem\+json/),
        code: 'all-sandboxes-required',
      });
    }
  });

  it('lets in an admin key of every sandbox (`*`) that holds no other role', async () => {
    await anonymous().get('/admin/queues').set('authorization', basic(ALL_SANDBOXES_ADMIN_KEY)).expect(200);
    const res = await anonymous()
      .get('/admin/queues/api/queues')
      .set('authorization', `Bearer ${ALL_SANDBOXES_ADMIN_KEY}`)
      .expect(200);
    expect(res.body.queues.length).toBeGreaterThan(0);
  });

  it('serves the board page to an admin key given as the Basic password', async () => {
    const res = await anonymous().get('/admin/queues').set('authorization', basic(h.adminKey)).expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('<base href="/admin/queues/" />');
    expect(res.text).toContain('Herald queues');
    await anonymous()
      .get('/admin/queues/static/favicon-32x32.png')
      .set('authorization', basic(h.adminKey))
      .expect(200);
  });

  it('lists the delivery, fan-out and feedback-webhook queues, for Bearer keys too', async () => {
    const res = await h.api.get('/admin/queues/api/queues').expect(200);
    const names = (res.body.queues as Array<{ name: string; readOnlyMode: boolean }>).map(
      (queue) => queue.name,
    );
    expect(names.sort()).toEqual([
      'audience-fanout',
      'deliver-email',
      'deliver-push',
      'deliver-sms',
      'feedback-webhooks',
    ]);
    expect(res.body.queues.every((queue: { readOnlyMode: boolean }) => queue.readOnlyMode)).toBe(true);
  });

  it('shows the dead letter with each job error, the addresses masked and no profile or context values', async () => {
    const res = await h.api
      .get('/admin/queues/api/queues')
      .query({ activeQueue: QUEUE_NAMES.email, status: 'failed' })
      .expect(200);
    const email = res.body.queues.find((queue: { name: string }) => queue.name === QUEUE_NAMES.email);
    expect(email.counts.failed).toBe(1);
    const [job] = email.jobs;
    expect(job.id).toBe(failedJobId);
    expect(job.failedReason).toBe('SendGrid rejected the message (HTTP 400) for a***@example.com');
    expect(job.data.recipient).toEqual({
      type: 'external',
      userId: 'a***@example.com',
      namespace: 'email',
      channelData: { emailAddress: 'a***@example.com' },
      profile: '[redacted: 2 keys]',
      context: '[redacted: 1 key]',
    });
    const shown = JSON.stringify(res.body);
    for (const secret of ['alice@', 'Alicia', 'platinum', 'ORDER-778899'])
      expect(shown).not.toContain(secret);

    const single = await h.api
      .get(`/admin/queues/api/queues/${QUEUE_NAMES.email}/${failedJobId}`)
      .expect(200);
    expect(single.body.job.data.recipient.channelData.emailAddress).toBe('a***@example.com');
  });

  it('refuses retries and every other change while read-only, leaving the job in the dead letter', async () => {
    const queue = `/admin/queues/api/queues/${QUEUE_NAMES.email}`;
    await h.api.put(`${queue}/${failedJobId}/retry`).expect(405);
    await h.api.put(`${queue}/retry/failed`).expect(405);
    await h.api.put(`${queue}/clean/failed`).expect(405);
    await h.api.put(`${queue}/pause`).expect(405);
    expect(await (await h.emailQueue.getJob(failedJobId))?.getState()).toBe('failed');
  });
});

describe('Bull Board with BULL_BOARD_READ_ONLY=false', () => {
  let h: ApiHarness;
  let failedJobId: string;

  beforeAll(async () => {
    h = await startApiHarness('bull-board-rw', { BULL_BOARD_READ_ONLY: 'false' });
    await h.addApiKey(SANDBOX_ADMIN_KEY, { name: 'admin of a', roles: ['admin'], sandboxes: ['a'] });
    failedJobId = await deadLetterJob(h, 'board-exec-2');
  });
  afterAll(async () => h.close());

  it('refuses a retry by an admin key bound to some sandboxes, leaving the job in the dead letter', async () => {
    const res = await request(h.runtime.app)
      .put(`/admin/queues/api/queues/${QUEUE_NAMES.email}/${failedJobId}/retry`)
      .set('x-api-key', SANDBOX_ADMIN_KEY)
      .expect(403);
    expect(res.body.code).toBe('all-sandboxes-required');
    expect(await (await h.emailQueue.getJob(failedJobId))?.getState()).toBe('failed');
  });

  it('lets an admin retry a failed job', async () => {
    await h.api.put(`/admin/queues/api/queues/${QUEUE_NAMES.email}/${failedJobId}/retry`).expect(204);
    expect(await (await h.emailQueue.getJob(failedJobId))?.getState()).toBe('waiting');
  });

  it('still refuses edits that would write redacted data back or bypass the API', async () => {
    const queue = `/admin/queues/api/queues/${QUEUE_NAMES.email}`;
    await h.api.patch(`${queue}/${failedJobId}/update-data`).send({ data: {} }).expect(405);
    await h.api.post(`${queue}/add`).send({ name: 'deliver', data: {} }).expect(405);
    await h.api.put(`${queue}/obliterate`).send({}).expect(405);
    expect(await h.emailQueue.getJobCounts('waiting')).toEqual({ waiting: 1 });
  });
});
