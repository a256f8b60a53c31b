import { PermanentDeliveryError, TransientDeliveryError } from '@herald/errors';
import { freePort, startSendGridStandin, type SendGridStandin } from '@herald/testing';
import type { EmailMessage } from './channel-adapter';
import { SendGridAdapter } from './sendgrid.adapter';

describe('SendGridAdapter against the SendGrid stand-in', () => {
  let standin: SendGridStandin;
  let adapter: SendGridAdapter;

  beforeAll(async () => {
    standin = await startSendGridStandin();
    adapter = new SendGridAdapter({ apiKey: standin.apiKey, baseUrl: standin.url, timeoutMs: 2000 });
  });
  afterAll(async () => {
    await adapter.close();
    await standin.close();
  });
  afterEach(() => standin.behave({}));

  const message: EmailMessage = {
    channel: 'email',
    deliveryId: 'exec-1-r0',
    executionId: 'exec-1',
    from: { address: 'hello@example.com', name: 'Herald' },
    replyTo: 'support@example.com',
    to: 'ada@example.com',
    subject: 'Hello Ada',
    html: '<p>Hi Ada</p>',
    text: 'Hi Ada',
  };

  it('sends through the SDK and returns the x-message-id as provider message id', async () => {
    const result = await adapter.send(message);
    const mail = standin.accepted.find((accepted) => accepted.messageId === result.providerMessageId);
    expect(mail).toMatchObject({
      to: 'ada@example.com',
      from: 'hello@example.com',
      subject: 'Hello Ada',
      html: '<p>Hi Ada</p>',
      text: 'Hi Ada',
      customArgs: { execution_id: 'exec-1', delivery_id: 'exec-1-r0' },
    });
  });

  it('carries only the execution and delivery ids as custom args', async () => {
    const result = await adapter.send(message);
    const mail = standin.accepted.find((accepted) => accepted.messageId === result.providerMessageId);
    expect(Object.keys(mail!.customArgs).sort()).toEqual(['delivery_id', 'execution_id']);
  });

  it('sends many messages concurrently, each accepted once under the id its request got', async () => {
    const before = standin.accepted.length;
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => adapter.send({ ...message, deliveryId: `exec-1-c${i}` })),
    );
    const mails = standin.accepted.slice(before);
    expect(mails).toHaveLength(200);
    results.forEach((result, i) => {
      const mine = mails.filter((mail) => mail.customArgs.delivery_id === `exec-1-c${i}`);
      expect(mine.map((mail) => mail.messageId)).toEqual([result.providerMessageId]);
    });
  });

  it('turns a 429 with Retry-After into a transient error carrying the wait', async () => {
    standin.behave({ status: 429, retryAfterSeconds: 7, times: 1 });
    const error = await adapter.send(message).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransientDeliveryError);
    expect(error).toMatchObject({ code: 'provider-throttled', retryAfterMs: 7000 });
    await expect(adapter.send(message)).resolves.toHaveProperty('providerMessageId');
  });

  it('turns a 500 into a transient provider-unavailable', async () => {
    standin.behave({ status: 500 });
    await expect(adapter.send(message)).rejects.toMatchObject({
      constructor: TransientDeliveryError,
      code: 'provider-unavailable',
    });
  });

  it('turns an invalid recipient address (400 from SendGrid) into a permanent provider-rejected', async () => {
    const error = await adapter.send({ ...message, to: 'not-an-address' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect(error).toMatchObject({ code: 'provider-rejected' });
    expect((error as Error).message).toContain('personalizations.0.to.0.email');
  });

  it('turns a wrong API key into a permanent provider-auth-failed', async () => {
    const wrongKey = new SendGridAdapter({ apiKey: 'SG.wrong', baseUrl: standin.url });
    try {
      await expect(wrongKey.send(message)).rejects.toMatchObject({
        constructor: PermanentDeliveryError,
        code: 'provider-auth-failed',
      });
    } finally {
      await wrongKey.close();
    }
  });

  it('turns a refused connection into a transient provider-unreachable', async () => {
    const closed = new SendGridAdapter({
      apiKey: standin.apiKey,
      baseUrl: `http://127.0.0.1:${await freePort()}`,
    });
    try {
      await expect(closed.send(message)).rejects.toMatchObject({
        constructor: TransientDeliveryError,
        code: 'provider-unreachable',
      });
    } finally {
      await closed.close();
    }
  });

  it('turns a provider slower than the timeout into a transient provider-unreachable', async () => {
    const impatient = new SendGridAdapter({ apiKey: standin.apiKey, baseUrl: standin.url, timeoutMs: 50 });
    standin.behave({ latencyMs: 300 });
    try {
      await expect(impatient.send(message)).rejects.toMatchObject({
        constructor: TransientDeliveryError,
        code: 'provider-unreachable',
      });
    } finally {
      await impatient.close();
    }
  });

  it.each([
    ['subject', { subject: 'Hi\r\nBcc: victim@example.com' }],
    ['from name', { from: { address: 'hello@example.com', name: 'Herald\nBcc: x@example.com' } }],
    ['to', { to: 'ada@example.com\r\nBcc: x@example.com' }],
  ])('refuses a line break in the %s before calling SendGrid', async (_field, change) => {
    const before = standin.requestCount;
    await expect(adapter.send({ ...message, ...change })).rejects.toMatchObject({
      constructor: PermanentDeliveryError,
      code: 'header-injection',
    });
    expect(standin.requestCount).toBe(before);
  });

  it('refuses an e-mail with no body as permanent', async () => {
    await expect(adapter.send({ ...message, html: undefined, text: undefined })).rejects.toMatchObject({
      constructor: PermanentDeliveryError,
      code: 'empty-body',
    });
  });
});
