import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import {
  FANOUT_QUEUE,
  fanOutJobId,
  newId,
  type CampaignVersion,
  type FanOutJobData,
} from '@herald/contracts';
import { jobInState, orderShippedCampaign } from '@herald/testing';
import { startWorkerHarness, type WorkerHarness } from './worker-harness.fixture';

const SANDBOX = 'prod';
const MEMBERS = 20;
/** A context worth keeping once: 100 KB, about half of API_MAX_CONTEXT_BYTES. */
const context = { orderId: 'BIG-1', total: 3, notes: 'n'.repeat(100_000) };

describe('an audience call context, kept once on its execution (real Redis, embedded store)', () => {
  let h: WorkerHarness;
  let fanOutQueue: Queue<FanOutJobData>;
  let version: CampaignVersion;
  let audienceId: string;

  beforeAll(async () => {
    h = await startWorkerHarness('fan-out-context', { WORKER_QUEUES: 'fanout' });
    fanOutQueue = new Queue<FanOutJobData>(FANOUT_QUEUE, { connection: h.redis, prefix: h.prefix });
    version = await h.liveCampaign(orderShippedCampaign({ name: 'Big' }), SANDBOX);
    const audience = await h.store.audiences.create({
      sandbox: SANDBOX,
      name: 'Twenty',
      kind: 'static',
      identities: Array.from({ length: MEMBERS }, (_, i) => ({
        namespace: 'email',
        id: `m${i}@example.com`,
      })),
    });
    audienceId = audience.id;
  });
  afterAll(async () => {
    await fanOutQueue?.close();
    await h?.stop();
  });

  /** Records the execution as the API does (with the context when `stored`), then fans out. */
  async function fanOut(stored: boolean) {
    const executionId = newId();
    await h.store.executions.create({
      id: executionId,
      sandbox: SANDBOX,
      kind: 'audience',
      campaignId: version.campaignId,
      campaignVersion: version.version,
      requestId: executionId,
      recipientCount: 0,
      audienceId,
      ...(stored ? { context } : {}),
    });
    const data: FanOutJobData = {
      executionId,
      sandbox: SANDBOX,
      campaignId: version.campaignId,
      campaignVersion: version.version,
      audienceId,
      context,
    };
    await fanOutQueue.add('fan-out', data, { jobId: fanOutJobId(data), attempts: 3 });
    await jobInState(fanOutQueue, fanOutJobId(data), 'completed');
    const jobs = await h.queue('email').getJobs(['waiting'], 0, -1);
    return jobs.filter((job) => job.data.executionId === executionId);
  }

  it("queues members' jobs that refer to the execution's context instead of carrying it", async () => {
    const jobs = await fanOut(true);
    expect(jobs).toHaveLength(MEMBERS);
    for (const job of jobs) {
      expect(job.data.contextOfExecution).toBe(true);
      expect(job.data.recipient.context).toBeUndefined();
      expect(JSON.stringify(job.data).length).toBeLessThan(1_000);
    }
  });

  it('still copies the context into each job for an execution recorded without it (an older API)', async () => {
    const jobs = await fanOut(false);
    expect(jobs).toHaveLength(MEMBERS);
    expect(jobs.every((job) => job.data.recipient.context?.notes === context.notes)).toBe(true);
    expect(jobs.every((job) => job.data.contextOfExecution === undefined)).toBe(true);
  });
});

describe("a member's message rendered with its execution's context", () => {
  let h: WorkerHarness;
  beforeAll(async () => {
    h = await startWorkerHarness('fan-out-context-render', { WORKER_QUEUES: 'email' });
  });
  afterAll(() => h?.stop());

  it('reads the context from the store, and fails the delivery for good when there is none', async () => {
    const version = await h.liveCampaign(orderShippedCampaign({ name: 'Render' }), SANDBOX);
    const member = { type: 'external' as const, namespace: 'email', userId: 'ada@example.com' };
    const withContext = newId();
    await h.store.executions.create({
      id: withContext,
      sandbox: SANDBOX,
      kind: 'audience',
      campaignId: version.campaignId,
      campaignVersion: version.version,
      requestId: withContext,
      recipientCount: 0,
      audienceId: 'aud',
      context: { orderId: 'FROM-STORE', total: 7 },
    });
    // The job names the execution holding the context (the harness's own holds none).
    await h.enqueue(version, [member], { data: { executionId: withContext, contextOfExecution: true } });
    const [delivery] = await h.settled(withContext, 1);
    expect(delivery).toMatchObject({ status: 'sent' });
    const eml = readFileSync(path.join(h.dir.path, 'outbox', 'email', `${delivery!.id}.eml`), 'utf8');
    expect(eml).toContain('Order FROM-STORE: 7 EUR');

    const missing = await h.enqueue(version, [member], { data: { contextOfExecution: true } });
    const [failed] = await h.settled(missing.executionId, 1, ['failed']);
    expect(failed).toMatchObject({ status: 'failed', reason: 'execution-context-missing' });
  });
});

describe('an audience fan-out against a full delivery queue', () => {
  let h: WorkerHarness;
  let fanOutQueue: Queue<FanOutJobData>;
  beforeAll(async () => {
    // Only the fan-out is served, so its delivery jobs stay waiting; 10 members a page, bound 5.
    h = await startWorkerHarness('fan-out-backpressure', {
      WORKER_QUEUES: 'fanout',
      FANOUT_PAGE_SIZE: '10',
      QUEUE_MAX_WAITING: '5',
    });
    fanOutQueue = new Queue<FanOutJobData>(FANOUT_QUEUE, { connection: h.redis, prefix: h.prefix });
  });
  afterAll(async () => {
    await fanOutQueue?.close();
    await h?.stop();
  });

  it('pauses before the next page while the queue is over QUEUE_MAX_WAITING, then resumes where it stopped', async () => {
    const version = await h.liveCampaign(orderShippedCampaign({ name: 'Bounded' }), SANDBOX);
    const audience = await h.store.audiences.create({
      sandbox: SANDBOX,
      name: 'Twenty',
      kind: 'static',
      identities: Array.from({ length: MEMBERS }, (_, i) => ({
        namespace: 'email',
        id: `b${i}@example.com`,
      })),
    });
    const data: FanOutJobData = {
      executionId: newId(),
      sandbox: SANDBOX,
      campaignId: version.campaignId,
      campaignVersion: version.version,
      audienceId: audience.id,
    };
    await fanOutQueue.add('fan-out', data, { jobId: fanOutJobId(data), attempts: 3 });
    // One page went in (10 > 5 waiting): the fan-out waits, delayed, without using an attempt.
    const delayed = await jobInState(fanOutQueue, fanOutJobId(data), 'delayed');
    expect(delayed.attemptsMade).toBe(0);
    expect(await h.queue('email').getWaitingCount()).toBe(10);
    expect((await h.store.executions.get(SANDBOX, data.executionId))?.targetedProfileCount).toBe(10);

    // Workers drain the queue; the fan-out comes back and queues the rest, nobody twice.
    await h.queue('email').drain();
    const done = await jobInState(fanOutQueue, fanOutJobId(data), 'completed');
    expect(done.returnvalue).toEqual({ outcome: 'queued', targetedProfileCount: MEMBERS });
    const jobs = await h.queue('email').getJobs(['waiting'], 0, -1);
    expect(jobs.map((job) => job.data.recipientIndex).sort((a, b) => a - b)).toEqual(
      Array.from({ length: MEMBERS - 10 }, (_, i) => i + 10),
    );
  });
});
