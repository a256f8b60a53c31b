import type { Delivery } from '@herald/contracts';
import { orderShippedCampaign, waitFor } from '@herald/testing';
import { orderRecipients, startSystemHarness, type SystemHarness } from './support/system-harness';

const PER_SECOND = 50;
const THROTTLED_CALLS = 35;
const RECIPIENTS_PER_CALL = 20;
const WORKERS = 3;
/**
 * Each worker process must have sent at least this share of the throttled messages: a fair share is
 * a third; a twentieth still proves the process sent, with room for a slow start on a loaded machine.
 */
const MIN_WORKER_SHARE = 0.05;

const sentAt = (delivery: Delivery): number =>
  Date.parse(delivery.history.find((event) => event.status === 'sent')?.at ?? '');

describe('a campaign throttle shared by three worker processes', () => {
  let system: SystemHarness;

  beforeAll(async () => {
    system = await startSystemHarness('throttle', {
      workers: WORKERS,
      env: { WORKER_QUEUES: 'email', WORKER_CONCURRENCY: '20' },
    });
  });
  afterAll(async () => system?.close());

  async function trigger(campaignId: string, call: string): Promise<string> {
    const accepted = await system.triggerUnitary({
      requestId: call,
      campaignId,
      recipients: orderRecipients(call, RECIPIENTS_PER_CALL, () => call),
    });
    if (accepted.status !== 202) throw new Error(JSON.stringify(accepted.body));
    return String(accepted.body.executionId);
  }

  async function deliveriesOf(executionIds: string[]): Promise<Delivery[]> {
    const all: Delivery[] = [];
    for (const id of executionIds)
      all.push(...(await system.store.deliveries.listByExecution('prod', id, { limit: 500 })).items);
    return all;
  }

  /** Sends of `campaignId` among the completed jobs, by the worker process that completed them. */
  async function sendsByWorker(campaignId: string): Promise<Map<string, number>> {
    const completed = await system.emailQueue.getJobs(['completed']);
    const byWorker = new Map<string, number>();
    for (const job of completed) {
      // The queue's result type is BullMQ's default `any`; the worker returns `{ status, ... }`.
      const outcome = job.returnvalue as { status: string } | null;
      if (job.data.campaignId !== campaignId || outcome?.status !== 'sent') continue;
      const name = job.processedBy ?? 'unnamed';
      byWorker.set(name, (byWorker.get(name) ?? 0) + 1);
    }
    return byWorker;
  }

  it('holds 50 messages/s within ±10 % over 10 s, shared by all three workers, while an unthrottled campaign keeps flowing', async () => {
    const throttled = await system.createLiveCampaign(
      orderShippedCampaign({ throttle: { perSecond: PER_SECOND } }),
    );
    const free = await system.createLiveCampaign(orderShippedCampaign({ name: 'Unthrottled' }));

    const throttledIds: string[] = [];
    for (let call = 0; call < THROTTLED_CALLS; call += 1)
      throttledIds.push(await trigger(throttled, `t-${call}`));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const freeStartedAt = Date.now();
    const freeIds = [await trigger(free, 'f-0'), await trigger(free, 'f-1')];

    const freeDone = await waitFor(
      async () => {
        const records = await deliveriesOf(freeIds);
        return records.length === 2 * RECIPIENTS_PER_CALL && records.every((r) => r.status === 'sent')
          ? records
          : undefined;
      },
      { timeoutMs: 10_000, description: 'the unthrottled campaign delivered' },
    );
    const freeLatency = Math.max(...freeDone.map(sentAt)) - freeStartedAt;

    const records = await waitFor(
      async () => {
        const all = await deliveriesOf(throttledIds);
        return all.filter((r) => r.status === 'sent').length >= PER_SECOND * 12 ? all : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, description: '12 s worth of throttled messages sent' },
    );
    const times = records
      .filter((r) => r.status === 'sent')
      .map(sentAt)
      .sort((a, b) => a - b);
    const start = times[0]!;
    const inTenSeconds = times.filter((t) => t >= start && t < start + 10_000).length;
    process.stdout.write(
      `throttle: ${inTenSeconds} messages in the first 10 s (target ${PER_SECOND * 10}); unthrottled campaign delivered 40 in ${freeLatency} ms\n`,
    );
    expect(inTenSeconds).toBeGreaterThanOrEqual(PER_SECOND * 10 * 0.9);
    expect(inTenSeconds).toBeLessThanOrEqual(PER_SECOND * 10 * 1.1);
    // The other campaign did not wait behind the throttled backlog (which needs 14 s in all).
    expect(freeLatency).toBeLessThan(5000);

    // The rate held is the campaign's across processes, not one process's: each one sent its part.
    const names = system.workers.map((worker) =>
      String(worker.logs().find((line) => line.msg === 'worker ready')?.workerName),
    );
    expect(new Set(names).size).toBe(WORKERS);
    const byWorker = await sendsByWorker(throttled);
    const total = [...byWorker.values()].reduce((sum, count) => sum + count, 0);
    process.stdout.write(`throttle: sends by worker ${JSON.stringify(Object.fromEntries(byWorker))}\n`);
    expect(total).toBeGreaterThanOrEqual(PER_SECOND * 10);
    expect([...byWorker.keys()].sort()).toEqual([...names].sort());
    expect(Math.min(...byWorker.values())).toBeGreaterThanOrEqual(total * MIN_WORKER_SHARE);
  }, 90_000);
});
