import { simpleParser } from 'mailparser';
import { PermanentDeliveryError, TransientDeliveryError } from '@herald/errors';
import { freePort, startSmtpStandin, type SmtpStandin } from '@herald/testing';
import type { EmailMessage } from './channel-adapter';
import { SmtpAdapter } from './smtp.adapter';

describe('SmtpAdapter against the SMTP stand-in', () => {
  let standin: SmtpStandin;
  let adapter: SmtpAdapter;

  beforeAll(async () => {
    standin = await startSmtpStandin();
    adapter = new SmtpAdapter({ url: standin.url, timeoutMs: 2000 });
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
    to: 'ada@example.com',
    subject: 'Hello Ada — ünïcode',
    html: '<p>Hi Ada</p>',
    text: 'Hi Ada',
  };

  it('sends through a pooled connection and the server receives the message', async () => {
    const result = await adapter.send(message);
    expect(result.providerMessageId).toBe('exec-1-r0@example.com');
    const mail = standin.accepted.find(
      (accepted) => accepted.headers['x-herald-delivery-id'] === 'exec-1-r0',
    );
    expect(mail).toMatchObject({
      from: 'hello@example.com',
      to: ['ada@example.com'],
      subject: 'Hello Ada — ünïcode',
    });
    const parsed = await simpleParser(mail!.raw);
    expect(parsed.from?.text).toBe('"Herald" <hello@example.com>');
    expect(parsed.html).toBe('<p>Hi Ada</p>');
    expect(parsed.headers.get('x-herald-execution-id')).toBe('exec-1');
  });

  it('sends many messages concurrently over the pool', async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => adapter.send({ ...message, deliveryId: `exec-2-r${i}` })),
    );
    expect(new Set(results.map((result) => result.providerMessageId)).size).toBe(30);
  });

  it('turns a 451 reply into a transient error', async () => {
    standin.behave({ status: 451, times: 1 });
    await expect(adapter.send(message)).rejects.toMatchObject({
      constructor: TransientDeliveryError,
      code: 'provider-unavailable',
    });
    await expect(adapter.send(message)).resolves.toHaveProperty('providerMessageId');
  });

  it('turns a 550 invalid-recipient reply into a permanent provider-rejected without quoting the address', async () => {
    standin.behave({ status: 550, times: 1 });
    const error = await adapter.send(message).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect(error).toMatchObject({ code: 'provider-rejected' });
    expect((error as Error).message).toContain('550');
    expect((error as Error).message).not.toContain('ada@example.com');
  });

  it('turns wrong credentials into a permanent provider-auth-failed', async () => {
    const url = new URL(standin.url);
    url.password = 'wrong';
    const wrong = new SmtpAdapter({ url: url.toString(), pool: false, timeoutMs: 2000 });
    try {
      await expect(wrong.send(message)).rejects.toMatchObject({
        constructor: PermanentDeliveryError,
        code: 'provider-auth-failed',
      });
    } finally {
      await wrong.close();
    }
  });

  it('turns a refused connection into a transient provider-unreachable', async () => {
    const closed = new SmtpAdapter({ url: `smtp://u:p@127.0.0.1:${await freePort()}`, timeoutMs: 2000 });
    try {
      await expect(closed.send(message)).rejects.toMatchObject({
        constructor: TransientDeliveryError,
        code: 'provider-unreachable',
      });
    } finally {
      await closed.close();
    }
  });

  it.each([
    ['subject', { subject: 'Hi\r\nBcc: victim@example.com' }],
    ['reply-to', { replyTo: 'a@example.com\nBcc: x@example.com' }],
  ])('refuses a line break in the %s before connecting', async (_field, change) => {
    const before = standin.accepted.length;
    await expect(adapter.send({ ...message, ...change })).rejects.toMatchObject({
      constructor: PermanentDeliveryError,
      code: 'header-injection',
    });
    expect(standin.accepted.length).toBe(before);
  });

  it('refuses a URL that is not smtp:// or smtps://', () => {
    expect(() => new SmtpAdapter({ url: 'http://127.0.0.1:25' })).toThrow('smtp://');
  });
});
