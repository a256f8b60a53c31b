import { newId, type Recipient } from '@herald/contracts';
import { DeliveryCounters } from '@herald/queues';
import { jobInState, orderShippedCampaign, orderShippedRecipient } from '@herald/testing';
import { startSendGridStandin, type SendGridStandin } from '@herald/channels/test-support';
import { startWorkerHarness, type WorkerHarness } from './worker-harness.fixture';

describe('worker jobs that can never be delivered (real Redis, embedded store, SendGrid stand-in)', () => {
  let sendgrid: SendGridStandin;
  let h: WorkerHarness;

  beforeAll(async () => {
    sendgrid = await startSendGridStandin();
    // Three attempts per job: a job failed after one proves it was not retried.
    h = await startWorkerHarness('invalid-jobs', {
      EMAIL_PROVIDER: 'sendgrid',
      SENDGRID_API_KEY: sendgrid.apiKey,
      SENDGRID_API_URL: sendgrid.url,
      WORKER_MAX_ATTEMPTS: '3',
    });
  });
  afterAll(async () => {
    await h?.stop();
    await sendgrid?.close();
  });

  const counters = (executionId: string) =>
    new DeliveryCounters(h.redis, h.prefix).execution('prod', executionId);

  it.each([
    ['a version the campaign never had', () => ({ campaignVersion: 99 })],
    ['a campaign that does not exist', () => ({ campaignId: newId() })],
  ])(
    'fails a job naming %s at once with campaign-version-missing, sending nothing',
    async (_what, naming) => {
      const before = sendgrid.requestCount;
      const version = await h.liveCampaign(orderShippedCampaign());
      const { executionId, deliveryIds } = await h.enqueue(
        version,
        [orderShippedRecipient('nobody@example.com')],
        {
          data: naming(),
        },
      );

      const [record] = await h.settled(executionId, 1);
      expect(record).toMatchObject({ status: 'failed', reason: 'campaign-version-missing', attempts: 1 });
      expect(record?.lastError).toMatch(/version \d+ does not exist/);
      const job = await jobInState(h.queue('email'), deliveryIds[0]!, 'failed');
      expect(job.attemptsMade).toBe(1);
      expect(job.failedReason).toMatch(/^campaign-version-missing: /);
      expect(await counters(executionId)).toMatchObject({
        failed: 1,
        sent: 0,
        failedByReason: { 'campaign-version-missing': 1 },
      });
      expect(sendgrid.requestCount).toBe(before);
    },
  );

  it('fails a message the SendGrid SDK refuses before sending at once with invalid-message, without a request', async () => {
    const before = sendgrid.requestCount;
    // The API's schema would refuse a sender name that is not a string; the store keeps what it is given,
    // and the SDK's own check is the last line.
    const version = await h.liveCampaign(
      orderShippedCampaign({
        channelConfig: { email: { fromAddress: 'shop@example.com', fromName: 42 as unknown as string } },
      }),
    );
    const { executionId, deliveryIds } = await h.enqueue(version, [
      orderShippedRecipient('refused@example.com'),
    ]);

    const [record] = await h.settled(executionId, 1);
    expect(record).toMatchObject({ status: 'failed', reason: 'invalid-message', attempts: 1 });
    expect(record?.lastError).toMatch(/^sendgrid SDK refused the message: /);
    expect(record?.providerMessageId).toBeUndefined();
    const job = await jobInState(h.queue('email'), deliveryIds[0]!, 'failed');
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/^invalid-message: /);
    expect(await counters(executionId)).toMatchObject({
      failed: 1,
      failedByReason: { 'invalid-message': 1 },
    });
    expect(sendgrid.requestCount).toBe(before);
  });

  it('fails a job whose data has no recipient at once with invalid-job, sending nothing', async () => {
    const before = sendgrid.requestCount;
    const version = await h.liveCampaign(orderShippedCampaign());
    const { executionId, deliveryIds } = await h.enqueue(version, [undefined as unknown as Recipient]);

    const [record] = await h.settled(executionId, 1);
    expect(record).toMatchObject({ status: 'failed', reason: 'invalid-job', attempts: 1 });
    expect(record?.lastError).toBe('recipient is not an object');
    const job = await jobInState(h.queue('email'), deliveryIds[0]!, 'failed');
    expect(job.attemptsMade).toBe(1);
    expect(sendgrid.requestCount).toBe(before);
  });

  it('dead-letters a job whose record could not be keyed (no recipientIndex) without sending it', async () => {
    const before = sendgrid.requestCount;
    const version = await h.liveCampaign(orderShippedCampaign());
    const { executionId, deliveryIds } = await h.enqueue(
      version,
      [orderShippedRecipient('unkeyed@example.com')],
      {
        data: { recipientIndex: undefined as unknown as number },
      },
    );

    const job = await jobInState(h.queue('email'), deliveryIds[0]!, 'failed');
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toBe('invalid-job: recipientIndex is not an integer >= 0');
    expect(sendgrid.requestCount).toBe(before);
    expect(sendgrid.accepted.filter((mail) => mail.to === 'unkeyed@example.com')).toEqual([]);
    expect((await h.store.deliveries.listByExecution('prod', executionId, { limit: 10 })).items).toEqual([]);
  });
});
