import { Queue } from 'bullmq';
import {
  deliveryJobId,
  FANOUT_QUEUE,
  fanOutJobId,
  newId,
  type CampaignVersion,
  type ExecutionStatus,
  type FanOutJobData,
} from '@herald/contracts';
import { jobInState, orderShippedCampaign } from '@herald/testing';
import { startWorkerHarness, type WorkerHarness } from './worker-harness.fixture';

const SANDBOX = 'prod';

describe('audience fan-outs that must queue nothing (real Redis, embedded store)', () => {
  let h: WorkerHarness;
  let fanOutQueue: Queue<FanOutJobData>;
  let version: CampaignVersion;
  let audienceId: string;

  beforeAll(async () => {
    // Only the fan-out queue is served: delivery jobs stay in Redis for the tests to count.
    h = await startWorkerHarness('fan-out-skips', { WORKER_QUEUES: 'fanout' });
    fanOutQueue = new Queue<FanOutJobData>(FANOUT_QUEUE, { connection: h.redis, prefix: h.prefix });
    version = await h.liveCampaign(orderShippedCampaign({ name: 'Sale', type: 'marketing' }), SANDBOX);
    const audience = await h.store.audiences.create({
      sandbox: SANDBOX,
      name: 'Two',
      kind: 'static',
      identities: [
        { namespace: 'email', id: 'a@example.com' },
        { namespace: 'email', id: 'b@example.com' },
      ],
    });
    audienceId = audience.id;
  });
  afterAll(async () => {
    await fanOutQueue?.close();
    await h?.stop();
  });

  const fanOutData = (executionId: string, scheduleId?: string): FanOutJobData => ({
    executionId,
    sandbox: SANDBOX,
    campaignId: version.campaignId,
    campaignVersion: version.version,
    audienceId,
    ...(scheduleId ? { scheduleId } : {}),
  });

  /** Adds the job as the API does and resolves with it once it completed. */
  async function runFanOut(data: FanOutJobData) {
    const jobId = data.scheduleId ? fanOutJobId({ scheduleId: data.scheduleId }) : fanOutJobId(data);
    await fanOutQueue.add('fan-out', data, {
      jobId,
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
    });
    return jobInState(fanOutQueue, jobId, 'completed');
  }

  const deliveryJobCount = async () => {
    const counts = await h.queue('email').getJobCounts();
    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  };

  const scheduleFor = () =>
    h.store.schedules.create({
      sandbox: SANDBOX,
      campaignId: version.campaignId,
      audienceId,
      executeAt: new Date().toISOString(),
    });

  it('queues one delivery job per member when its schedule is still Scheduled (the case the skips depart from)', async () => {
    const schedule = await scheduleFor();
    const executionId = newId();
    const job = await runFanOut(fanOutData(executionId, schedule.id));
    expect(job.returnvalue).toEqual({ outcome: 'queued', targetedProfileCount: 2 });
    expect(await h.queue('email').getJob(deliveryJobId(executionId, 1))).toBeDefined();
    expect(await h.store.schedules.get(SANDBOX, schedule.id)).toMatchObject({
      status: 'Triggered',
      executionId,
    });
    expect(await h.store.executions.get(SANDBOX, executionId)).toMatchObject({
      status: 'queued',
      targetedProfileCount: 2,
    });
  });

  it.each<ExecutionStatus>(['queued', 'failed'])(
    'skips the fan-out of an execution already %s: the job completes, nothing is queued or written',
    async (status) => {
      const executionId = newId();
      await h.store.executions.create({
        id: executionId,
        sandbox: SANDBOX,
        kind: 'audience',
        campaignId: version.campaignId,
        campaignVersion: version.version,
        requestId: `req-${executionId}`,
        recipientCount: 0,
        audienceId,
        status,
      });
      const before = await h.store.executions.get(SANDBOX, executionId);
      const queued = await deliveryJobCount();

      const job = await runFanOut(fanOutData(executionId));

      expect(job.returnvalue).toEqual({ outcome: 'skipped', reason: 'already-settled' });
      expect(job.attemptsMade).toBe(1);
      expect(await deliveryJobCount()).toBe(queued);
      expect(await h.queue('email').getJob(deliveryJobId(executionId, 0))).toBeUndefined();
      expect(await h.store.executions.get(SANDBOX, executionId)).toEqual(before);
    },
  );

  it('skips a schedule cancelled before it fired: the job completes, nothing is queued, no execution is recorded', async () => {
    const schedule = await scheduleFor();
    await h.store.schedules.settle(SANDBOX, schedule.id, 'Cancelled');
    const cancelled = await h.store.schedules.get(SANDBOX, schedule.id);
    const queued = await deliveryJobCount();
    const executionId = newId();

    const job = await runFanOut(fanOutData(executionId, schedule.id));

    expect(job.returnvalue).toEqual({ outcome: 'skipped', reason: 'schedule-not-scheduled' });
    expect(await deliveryJobCount()).toBe(queued);
    expect(await h.store.executions.get(SANDBOX, executionId)).toBeNull();
    expect(await h.store.schedules.get(SANDBOX, schedule.id)).toEqual(cancelled);
  });

  it('skips a schedule another execution already triggered: nothing is queued under the second execution id', async () => {
    const schedule = await scheduleFor();
    const firstExecutionId = newId();
    await h.store.schedules.settle(SANDBOX, schedule.id, 'Triggered', firstExecutionId);
    const triggered = await h.store.schedules.get(SANDBOX, schedule.id);
    const queued = await deliveryJobCount();
    const secondExecutionId = newId();

    const job = await runFanOut(fanOutData(secondExecutionId, schedule.id));

    expect(job.returnvalue).toEqual({ outcome: 'skipped', reason: 'schedule-not-scheduled' });
    expect(await deliveryJobCount()).toBe(queued);
    expect(await h.store.executions.get(SANDBOX, secondExecutionId)).toBeNull();
    expect(await h.store.schedules.get(SANDBOX, schedule.id)).toEqual(triggered);
  });
});
