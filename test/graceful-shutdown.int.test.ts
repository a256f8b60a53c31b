import { orderShippedCampaign, waitFor } from '@herald/testing';
import { orderRecipients, startSystemHarness, type SystemHarness } from './support/system-harness';

const CONCURRENCY = 5;
const RECIPIENTS = 20;

describe('a worker stopped with SIGTERM while sends are in flight', () => {
  let system: SystemHarness;

  beforeAll(async () => {
    system = await startSystemHarness('graceful', {
      sendgrid: true,
      env: { WORKER_QUEUES: 'email', WORKER_CONCURRENCY: String(CONCURRENCY) },
    });
  });
  afterAll(async () => system?.close());

  it('finishes and records the sends in flight, takes no new job, and exits 0', async () => {
    const { standin, store, emailQueue } = system;
    const campaignId = await system.createLiveCampaign(orderShippedCampaign());
    // Every send takes 1.5 s at the provider, so the SIGTERM lands while CONCURRENCY are in flight.
    standin.behave({ latencyMs: 1500 });
    const accepted = await system.triggerUnitary({
      requestId: 'graceful-1',
      campaignId,
      recipients: orderRecipients('g', RECIPIENTS, (index) => `G-${index}`),
    });
    expect(accepted.status).toBe(202);
    const executionId = String(accepted.body.executionId);

    const worker = await system.startWorker();
    // Sends of concurrent jobs share SendGrid requests: the jobs are active and their requests went
    // out (the coalescing window is 2 ms; the stand-in holds each request 1.5 s).
    await waitFor(
      async () => (await emailQueue.getActiveCount()) === CONCURRENCY && standin.requestCount >= 1,
      { description: 'sends in flight' },
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const exitCode = await worker.stop('SIGTERM');

    expect(exitCode).toBe(0);
    const records = (await store.deliveries.listByExecution('prod', executionId, { limit: 100 })).items;
    // The in-flight sends were finished and recorded before the process exited ...
    expect(records.filter((record) => record.status === 'sent')).toHaveLength(CONCURRENCY);
    expect(standin.acceptedCount).toBe(CONCURRENCY);
    // ... and nothing else was taken: the rest wait in the queue for the next worker.
    expect(await emailQueue.getWaitingCount()).toBe(RECIPIENTS - CONCURRENCY);
    expect(await emailQueue.getActiveCount()).toBe(0);
  });
});
