import type { Recipient } from '@herald/contracts';
import { orderShippedCampaign, waitFor } from '@herald/testing';
import { startSendGridStandin, type SendGridStandin } from '@herald/channels/test-support';
import { startWorkerHarness, type WorkerHarness } from './worker-harness.fixture';

/** An order e-mail to an address given in the call; no stored profile is needed. */
const customer = (email: string, context: Record<string, unknown> = { orderId: 'A-1', total: 12 }) =>
  ({ type: 'external', namespace: 'email', userId: email, context }) satisfies Recipient;

describe('worker delivering e-mail through the SendGrid SDK to the SendGrid stand-in', () => {
  let sendgrid: SendGridStandin;
  let h: WorkerHarness;

  beforeAll(async () => {
    sendgrid = await startSendGridStandin();
    h = await startWorkerHarness('providers-sendgrid', {
      EMAIL_PROVIDER: 'sendgrid',
      SENDGRID_API_KEY: sendgrid.apiKey,
      SENDGRID_API_URL: sendgrid.url,
      PROVIDER_TIMEOUT_MS: '2000',
    });
  });
  afterEach(() => sendgrid.behave({}));
  afterAll(async () => {
    await h?.stop();
    await sendgrid?.close();
  });

  const mailOf = (deliveryId: string) =>
    sendgrid.accepted.filter((mail) => mail.customArgs.delivery_id === deliveryId);

  it('delivers the rendered message and records the x-message-id SendGrid answered with', async () => {
    await h.store.profiles.create('prod', {
      identities: [{ namespace: 'email', id: 'ada@example.com' }],
      attributes: { person: { name: { firstName: 'Ada' } } },
    });
    const version = await h.liveCampaign(orderShippedCampaign());
    const { executionId, deliveryIds } = await h.enqueue(version, [
      { type: 'aep', namespace: 'email', userId: 'ada@example.com', context: { orderId: 'A-1', total: 12 } },
    ]);
    const [record] = await h.settled(executionId, 1);
    const [mail] = mailOf(deliveryIds[0]!);
    expect(mail).toMatchObject({
      to: 'ada@example.com',
      from: 'shop@example.com',
      subject: 'Hi Ada, order A-1',
      html: '<p>Order A-1: 12 EUR</p>',
      text: 'Order A-1: 12 EUR',
      customArgs: { sandbox: version.sandbox, execution_id: executionId, delivery_id: deliveryIds[0] },
    });
    expect(record).toMatchObject({
      status: 'sent',
      attempts: 1,
      address: 'ada@example.com',
      providerMessageId: mail!.messageId,
    });
    expect(record!.profileId).toBeDefined();
  });

  it('escapes context values in the html body and keeps them as written in the text body', async () => {
    const version = await h.liveCampaign(orderShippedCampaign());
    const { executionId, deliveryIds } = await h.enqueue(version, [
      customer('escape@example.com', { orderId: '<b>x</b> & "y"', total: 5 }),
    ]);
    const [record] = await h.settled(executionId, 1);
    const [mail] = mailOf(deliveryIds[0]!);
    expect(record?.status).toBe('sent');
    expect(mail?.html).toBe('<p>Order &lt;b&gt;x&lt;/b&gt; &amp; &#34;y&#34;: 5 EUR</p>');
    expect(mail?.text).toBe('Order <b>x</b> & "y": 5 EUR');
  });

  it('retries a provider answering 500 and delivers once on the third attempt', async () => {
    sendgrid.behave({ status: 500, times: 2 });
    const before = sendgrid.requestCount;
    const version = await h.liveCampaign(orderShippedCampaign());
    const { executionId, deliveryIds } = await h.enqueue(version, [customer('flaky@example.com')]);
    const [record] = await h.settled(executionId, 1);
    expect(record).toMatchObject({ status: 'sent', attempts: 3 });
    expect(sendgrid.requestCount - before).toBe(3);
    const mails = mailOf(deliveryIds[0]!);
    expect(mails).toHaveLength(1);
    expect(record?.providerMessageId).toBe(mails[0]!.messageId);
  });

  it('waits for the Retry-After of a 429 before trying again', async () => {
    sendgrid.behave({ status: 429, retryAfterSeconds: 1, times: 1 });
    const before = sendgrid.requestCount;
    const version = await h.liveCampaign(orderShippedCampaign());
    const { executionId, deliveryIds } = await h.enqueue(version, [customer('busy@example.com')]);
    // Seen no sooner than the throttled answer, so the gap measured from here is never too long.
    const throttledAt = await waitFor(() => sendgrid.requestCount > before && Date.now(), {
      intervalMs: 2,
      description: 'the first (throttled) request',
    });
    const [record] = await h.settled(executionId, 1);
    expect(record).toMatchObject({ status: 'sent', attempts: 2 });
    const [mail] = mailOf(deliveryIds[0]!);
    expect(mail!.acceptedAt - throttledAt).toBeGreaterThanOrEqual(950);
    expect(sendgrid.requestCount - before).toBe(2);
  });

  it('fails a message SendGrid rejects with 400 after one attempt and dead-letters its job', async () => {
    sendgrid.behave({ status: 400 });
    const before = sendgrid.requestCount;
    const version = await h.liveCampaign(orderShippedCampaign());
    const { executionId, deliveryIds } = await h.enqueue(version, [customer('rejected@example.com')]);
    const [record] = await h.settled(executionId, 1);
    expect(record).toMatchObject({ status: 'failed', reason: 'provider-rejected', attempts: 1 });
    expect(record?.providerMessageId).toBeUndefined();
    const job = await waitFor(
      async () => {
        const found = await h.queue('email').getJob(deliveryIds[0]!);
        return found && (await found.getState()) === 'failed' ? found : undefined;
      },
      { description: 'the job in the failed set' },
    );
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/^provider-rejected: /);
    expect(sendgrid.requestCount - before).toBe(1);
  });
});
