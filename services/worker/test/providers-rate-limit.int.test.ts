import type { Recipient } from '@herald/contracts';
import { orderShippedCampaign } from '@herald/testing';
import { startSendGridStandin, type SendGridStandin } from '@herald/channels/test-support';
import { startWorkerHarness, type WorkerHarness } from './worker-harness.fixture';

const PER_SECOND = 20;
const RECIPIENTS = 60;

describe("worker keeping to the provider account's rate limit", () => {
  let sendgrid: SendGridStandin;
  let h: WorkerHarness;

  beforeAll(async () => {
    sendgrid = await startSendGridStandin();
    h = await startWorkerHarness('providers-rate-limit', {
      EMAIL_PROVIDER: 'sendgrid',
      SENDGRID_API_KEY: sendgrid.apiKey,
      SENDGRID_API_URL: sendgrid.url,
      EMAIL_RATE_LIMIT_PER_SECOND: String(PER_SECOND),
    });
  });
  afterAll(async () => {
    await h?.stop();
    await sendgrid?.close();
  });

  it(`sends ${RECIPIENTS} e-mails at no more than ${PER_SECOND} a second`, async () => {
    const recipients: Recipient[] = Array.from({ length: RECIPIENTS }, (_, i) => ({
      type: 'external',
      namespace: 'email',
      userId: `limited${i}@example.com`,
      context: { orderId: `L-${i}`, total: i },
    }));
    const version = await h.liveCampaign(orderShippedCampaign());
    // Taken before any job exists, so no limiter window can have opened earlier.
    const startedAt = Date.now();
    const { executionId } = await h.enqueue(version, recipients);
    const records = await h.settled(executionId, RECIPIENTS);
    expect(records.every((record) => record.status === 'sent')).toBe(true);
    const times = sendgrid.accepted.map((mail) => mail.acceptedAt).sort((a, b) => a - b);
    expect(times).toHaveLength(RECIPIENTS);
    // BullMQ's limiter counts in one-second windows, the first opened by the first job taken:
    // 60 jobs fill three windows, so the last is sent two seconds or more after the start.
    expect(times.filter((at) => at < startedAt + 1000).length).toBeLessThanOrEqual(PER_SECOND);
    expect(times.filter((at) => at < startedAt + 2000).length).toBeLessThanOrEqual(2 * PER_SECOND);
    expect(times[RECIPIENTS - 1]! - startedAt).toBeGreaterThanOrEqual(2000);
    expect(times[RECIPIENTS - 1]! - times[0]!).toBeGreaterThanOrEqual(1500);
  });
});
