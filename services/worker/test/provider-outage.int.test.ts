import type { Recipient } from '@herald/contracts';
import { orderShippedCampaign, waitFor } from '@herald/testing';
import { startSendGridStandin, type SendGridStandin } from '@herald/channels/test-support';
import { BREAKER_OPENS_AFTER } from '../src/provider-breaker';
import { startWorkerHarness, type WorkerHarness } from './worker-harness.fixture';

const RECIPIENTS = 20;
/** One retry, 1 to 1.5 s after the first attempt. */
const MAX_ATTEMPTS = 2;
/**
 * Longer than any job's first attempt and its retry: without the breaker every recipient would
 * meet two 503s and fail `retries-exhausted`. Shorter than the breaker's first probe delay (5 s
 * from opening), so the probe usually finds SendGrid back.
 */
const OUTAGE_MS = 3500;

const customer = (index: number): Recipient => ({
  type: 'external',
  namespace: 'email',
  userId: `outage-${index}@example.com`,
  context: { orderId: `O-${index}`, total: 10 },
});

describe('worker riding out a SendGrid outage behind the provider breaker', () => {
  let sendgrid: SendGridStandin;
  let h: WorkerHarness;

  beforeAll(async () => {
    sendgrid = await startSendGridStandin();
    h = await startWorkerHarness('provider-outage', {
      EMAIL_PROVIDER: 'sendgrid',
      SENDGRID_API_KEY: sendgrid.apiKey,
      SENDGRID_API_URL: sendgrid.url,
      // One request per e-mail: the stand-in's 503s fail each e-mail on its own.
      SENDGRID_MAX_BATCH_SIZE: '1',
      PROVIDER_TIMEOUT_MS: '2000',
      WORKER_QUEUES: 'email',
      WORKER_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
    });
  });
  afterAll(async () => {
    await h?.stop();
    await sendgrid?.close();
  });

  it('sends every recipient once SendGrid recovers, the jobs held while it was down keeping their attempts', async () => {
    const version = await h.liveCampaign(orderShippedCampaign());
    sendgrid.behave({ status: 503 });
    const before = sendgrid.requestCount;
    const { executionId, deliveryIds } = await h.enqueue(
      version,
      Array.from({ length: RECIPIENTS }, (_, index) => customer(index)),
    );
    const outageSeenAt = await waitFor(() => sendgrid.requestCount > before && Date.now(), {
      intervalMs: 2,
      description: 'the first request of the outage',
    });
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS - (Date.now() - outageSeenAt)));
    const requestsDuringOutage = sendgrid.requestCount - before;
    sendgrid.behave({});

    const records = await h.settled(executionId, RECIPIENTS);
    expect(records.map((record) => record.status)).toEqual(Array(RECIPIENTS).fill('sent'));
    // Only the failures before the breaker opened used an attempt; every held job kept its own.
    expect(records.every((record) => record.attempts <= MAX_ATTEMPTS)).toBe(true);
    expect(records.filter((record) => record.attempts > 1).length).toBeLessThan(BREAKER_OPENS_AFTER);
    // Without the breaker, every recipient would have sent two requests into the outage.
    expect(requestsDuringOutage).toBeLessThan(RECIPIENTS);

    const jobs = await Promise.all(deliveryIds.map((id) => h.queue('email').getJob(id)));
    for (const job of jobs) {
      expect(await job?.getState()).toBe('completed');
      expect(job?.attemptsMade).toBeLessThanOrEqual(MAX_ATTEMPTS);
    }
    const accepted = sendgrid.accepted.map((mail) => mail.customArgs.delivery_id);
    expect(accepted.sort()).toEqual([...deliveryIds].sort());
  });
});
