import path from 'node:path';
import { Queue } from 'bullmq';
import { FANOUT_QUEUE } from '@herald/contracts';
import { orderShippedCampaign, startServiceProcess, waitFor, type ServiceProcess } from '@herald/testing';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';
import { createLiveCampaign } from './trigger-setup.fixture';

describe('GET /im/executions/audience/{id} once the fan-out has run', () => {
  let h: ApiHarness;
  let worker: ServiceProcess | undefined;

  beforeAll(async () => {
    h = await startApiHarness('audience-status');
  });
  afterAll(async () => {
    await worker?.stop();
    const fanOutQueue = new Queue(FANOUT_QUEUE, {
      connection: { url: h.config.redis.url },
      prefix: h.config.redis.queuePrefix,
    });
    await fanOutQueue.obliterate({ force: true });
    await fanOutQueue.close();
    await h.close();
  });

  const staticAudience = async (name: string, emails: readonly string[]): Promise<string> => {
    const created = await h.api
      .post('/audiences')
      .send({ name, kind: 'static', identities: emails.map((id) => ({ namespace: 'email', id })) })
      .expect(201);
    return String(created.body.id);
  };
  const statusOf = async (executionId: string) =>
    (await h.api.get(`/im/executions/audience/${executionId}`).expect(200)).body;

  it('reads Failed when the audience was deleted before its fan-out ran, beside one that Succeeded', async () => {
    const doomed = await staticAudience('Deleted before the fan-out', ['gone@example.com']);
    const kept = await staticAudience('Kept', ['kept@example.com']);
    const campaignId = await createLiveCampaign(
      h,
      orderShippedCampaign({ type: 'marketing', contextSchema: { type: 'object' } }),
    );
    const failing = await h.api
      .post('/im/executions/audience')
      .send({ campaignId, audience: { id: doomed } })
      .expect(202);
    // The control: same campaign, same worker, an audience that still exists.
    const succeeding = await h.api
      .post('/im/executions/audience')
      .send({ campaignId, audience: { id: kept } })
      .expect(202);
    await h.api.delete(`/audiences/${doomed}`).expect(204);
    expect(await statusOf(failing.body.executionId)).toMatchObject({ status: 'InProgress' });

    // Started only now, so that the audience is surely gone when the fan-out reads it.
    worker = startServiceProcess(
      path.resolve(__dirname, '../../worker/dist/index.js'),
      {
        REDIS_URL: h.config.redis.url,
        QUEUE_PREFIX: h.config.redis.queuePrefix,
        HERALD_DATA_DIR: h.dir.path,
        // Delivery jobs stay queued, for the test to count.
        WORKER_QUEUES: 'fanout',
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
      },
      process.env,
    );
    const ready = await worker.waitForLog((line) => line.msg === 'worker ready');
    const settled = (executionId: string) =>
      waitFor(
        async () => {
          const status = await statusOf(executionId);
          return status.status === 'InProgress' ? undefined : status;
        },
        { timeoutMs: 20_000, description: `audience execution ${executionId} to settle` },
      );

    expect(await settled(failing.body.executionId)).toEqual({
      executionId: failing.body.executionId,
      campaignId,
      audienceId: doomed,
      status: 'Failed',
      targetedProfileCount: 0,
      createdAt: expect.any(String),
    });
    expect(await settled(succeeding.body.executionId)).toMatchObject({
      status: 'Succeeded',
      targetedProfileCount: 1,
    });
    const jobs = await h.emailQueue.getJobs(['waiting', 'delayed', 'prioritized']);
    expect(jobs.map((job) => job.data.executionId)).toEqual([succeeding.body.executionId]);

    // Both fan-outs carry the name of the worker process that took them.
    const fanOutQueue = new Queue(FANOUT_QUEUE, {
      connection: { url: h.config.redis.url },
      prefix: h.config.redis.queuePrefix,
    });
    try {
      const fanOuts = await fanOutQueue.getJobs(['completed', 'failed']);
      expect(fanOuts).toHaveLength(2);
      expect(new Set(fanOuts.map((job) => job.processedBy))).toEqual(new Set([ready.workerName]));
      expect(ready.workerName).toMatch(/^.+:\d+$/);
    } finally {
      await fanOutQueue.close();
    }
  });
});
