import { orderShippedCampaign, waitFor } from '@herald/testing';
import { startSystemHarness, type SystemHarness } from './support/system-harness';

/** BullMQ gives up on a job after it stalled more than this many times (delivery-workers.ts). */
const MAX_STALLED = 3;

describe('a job whose workers keep dying while they send it', () => {
  let system: SystemHarness;

  beforeAll(async () => {
    system = await startSystemHarness('stalled', {
      sendgrid: true,
      env: { WORKER_QUEUES: 'email', WORKER_LOCK_DURATION_MS: '1000' },
    });
  });
  afterAll(async () => system?.close('SIGKILL'));

  it('ends in the dead letter recorded as failed with reason stalled, not lost and not retried forever', async () => {
    const { standin, store } = system;
    const campaignId = await system.createLiveCampaign(orderShippedCampaign());
    // The provider never answers in time: every worker that takes the job is still sending when killed.
    standin.behave({ latencyMs: 60_000 });
    const accepted = await system.triggerUnitary({
      requestId: 'stalled-1',
      campaignId,
      recipients: [
        {
          type: 'external',
          namespace: 'crmId',
          userId: 's-1',
          channelData: { emailAddress: 's-1@example.com' },
          context: { orderId: 'S-1', total: 1 },
        },
      ],
    });
    expect(accepted.status).toBe(202);
    const deliveryId = `${String(accepted.body.executionId)}-r0`;

    for (let kill = 1; kill <= MAX_STALLED + 1; kill += 1) {
      const worker = await system.startWorker();
      await waitFor(() => standin.requestCount >= kill, {
        timeoutMs: 15_000,
        description: `send attempt ${kill} in flight`,
      });
      await worker.stop('SIGKILL');
    }
    // A live worker notices the last stall and moves the job to the failed set, recording why.
    await system.startWorker();
    const record = await waitFor(
      async () => {
        const delivery = await store.deliveries.get('prod', deliveryId);
        return delivery?.status === 'failed' ? delivery : undefined;
      },
      { timeoutMs: 20_000, description: 'the stalled delivery recorded as failed' },
    );
    expect(record).toMatchObject({ status: 'failed', reason: 'stalled' });
    expect(standin.requestCount).toBe(MAX_STALLED + 1);
  }, 90_000);
});
