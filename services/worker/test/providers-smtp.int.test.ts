import { orderShippedCampaign, orderShippedRecipient, waitFor } from '@herald/testing';
import { startSmtpStandin, type SmtpStandin } from '@herald/channels/test-support';
import { startWorkerHarness, type WorkerHarness } from './worker-harness.fixture';

const customer = (email: string) => orderShippedRecipient(email, { context: { orderId: 'S-7', total: 30 } });

describe('worker delivering e-mail through nodemailer to the SMTP stand-in', () => {
  let smtp: SmtpStandin;
  let h: WorkerHarness;

  beforeAll(async () => {
    smtp = await startSmtpStandin();
    h = await startWorkerHarness('providers-smtp', {
      EMAIL_PROVIDER: 'smtp',
      SMTP_URL: smtp.url,
      PROVIDER_TIMEOUT_MS: '2000',
    });
  });
  afterEach(() => smtp.behave({}));
  afterAll(async () => {
    await h?.stop();
    await smtp?.close();
  });

  it('delivers over an authenticated SMTP session and records the Message-ID it sent', async () => {
    const version = await h.liveCampaign(orderShippedCampaign());
    const { executionId, deliveryIds } = await h.enqueue(version, [customer('smtp@example.com')]);
    const [record] = await h.settled(executionId, 1);
    const deliveryId = deliveryIds[0]!;
    const mail = smtp.accepted.find((m) => m.headers['x-herald-delivery-id'] === deliveryId);
    expect(mail).toMatchObject({
      from: 'shop@example.com',
      to: ['smtp@example.com'],
      subject: 'Hi there, order S-7',
    });
    expect(mail?.headers['x-herald-execution-id']).toBe(executionId);
    expect(mail?.headers['message-id']).toBe(`<${deliveryId}@example.com>`);
    expect(mail?.raw).toContain('Order S-7: 30 EUR');
    expect(record).toMatchObject({
      status: 'sent',
      attempts: 1,
      address: 'smtp@example.com',
      providerMessageId: `${deliveryId}@example.com`,
    });
  });

  it('fails a recipient the server refuses with 550 at once, without a retry', async () => {
    smtp.behave({ status: 550 });
    const acceptedBefore = smtp.accepted.length;
    const version = await h.liveCampaign(orderShippedCampaign());
    const { executionId, deliveryIds } = await h.enqueue(version, [customer('nobody@example.com')]);
    const [record] = await h.settled(executionId, 1);
    expect(record).toMatchObject({ status: 'failed', reason: 'provider-rejected', attempts: 1 });
    expect(record?.lastError).toContain('550');
    const state = await waitFor(
      async () => {
        const job = await h.queue('email').getJob(deliveryIds[0]!);
        return (await job?.getState()) === 'failed' && job!.attemptsMade;
      },
      { description: 'the job in the failed set' },
    );
    expect(state).toBe(1);
    expect(smtp.accepted.length).toBe(acceptedBefore);
  });
});
