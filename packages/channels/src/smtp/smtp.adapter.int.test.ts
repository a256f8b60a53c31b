import { simpleParser } from 'mailparser';
import { freePort } from '@herald/testing';
import { startSmtpStandin } from './test-support/smtp-standin';
import { SmtpAdapter } from './smtp.adapter';
import { sendOnceThenClose, useStandinAndAdapter } from '../test-support/adapter-lifecycle';
import { expectPermanentFailure, expectTransientFailure } from '../test-support/delivery-failures';
import { emailMessage } from '../test-support/messages';

describe('SmtpAdapter against the SMTP stand-in', () => {
  const smtp = useStandinAndAdapter(
    startSmtpStandin,
    (standin) => new SmtpAdapter({ url: standin.url, timeoutMs: 2000 }),
  );

  const message = emailMessage({ subject: 'Hello Ada — ünïcode' });
  // As long as a real signed token makes it: nodemailer folds the header, the server unfolds it.
  const unsubscribeUrl = `https://t.example.com/u/${'aZ0-_'.repeat(80)}`;
  const unsubscribeHeaders = {
    'List-Unsubscribe': `<${unsubscribeUrl}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };

  it('sends through a pooled connection and the server receives the message', async () => {
    const result = await smtp.adapter.send(message);
    expect(result.providerMessageId).toBe('exec-1-r0@example.com');
    const mail = smtp.standin.accepted.find(
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

  it('sends the List-Unsubscribe headers and the server receives them as given', async () => {
    await smtp.adapter.send({ ...message, deliveryId: 'exec-1-h0', headers: unsubscribeHeaders });
    const mail = smtp.standin.accepted.find(
      (accepted) => accepted.headers['x-herald-delivery-id'] === 'exec-1-h0',
    );
    expect(mail?.headers).toMatchObject({
      'list-unsubscribe': `<${unsubscribeUrl}>`,
      'list-unsubscribe-post': 'List-Unsubscribe=One-Click',
      'x-herald-execution-id': 'exec-1',
    });
    // RFC 5322's hard limit: a line longer than 998 octets may be cut by any hop.
    for (const line of mail!.raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
  });

  it('sends many messages concurrently over the pool', async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => smtp.adapter.send({ ...message, deliveryId: `exec-2-r${i}` })),
    );
    expect(new Set(results.map((result) => result.providerMessageId)).size).toBe(30);
  });

  it('turns a 451 reply into a transient error', async () => {
    smtp.standin.behave({ status: 451, times: 1 });
    await expectTransientFailure(smtp.adapter.send(message), 'provider-unavailable');
    await expect(smtp.adapter.send(message)).resolves.toHaveProperty('providerMessageId');
  });

  it('turns a 550 invalid-recipient reply into a permanent provider-rejected without quoting the address', async () => {
    smtp.standin.behave({ status: 550, times: 1 });
    const error = await expectPermanentFailure(smtp.adapter.send(message), 'provider-rejected');
    expect(error.message).toContain('550');
    expect(error.message).not.toContain('ada@example.com');
  });

  it('turns wrong credentials into a permanent provider-auth-failed', async () => {
    const url = new URL(smtp.standin.url);
    url.password = 'wrong';
    const wrong = new SmtpAdapter({ url: url.toString(), pool: false, timeoutMs: 2000 });
    await expectPermanentFailure(sendOnceThenClose(wrong, message), 'provider-auth-failed');
  });

  it('turns a refused connection into a transient provider-unreachable', async () => {
    const closed = new SmtpAdapter({ url: `smtp://u:p@127.0.0.1:${await freePort()}`, timeoutMs: 2000 });
    await expectTransientFailure(sendOnceThenClose(closed, message), 'provider-unreachable');
  });

  it.each([
    ['subject', { subject: 'Hi\r\nBcc: victim@example.com' }],
    ['reply-to', { replyTo: 'a@example.com\nBcc: x@example.com' }],
    [
      'List-Unsubscribe header',
      { headers: { 'List-Unsubscribe': '<https://t.example.com/u/x>\r\nBcc: x@example.com' } },
    ],
  ])('refuses a line break in the %s before connecting', async (_field, change) => {
    const before = smtp.standin.accepted.length;
    await expectPermanentFailure(smtp.adapter.send({ ...message, ...change }), 'header-injection');
    expect(smtp.standin.accepted.length).toBe(before);
  });

  it.each(['Bcc', 'X-Herald-Delivery-Id', 'list-unsubscribe'])(
    'refuses the header %s, outside the allow-list, before connecting',
    async (name) => {
      const before = smtp.standin.accepted.length;
      const error = await expectPermanentFailure(
        smtp.adapter.send({ ...message, headers: { ...unsubscribeHeaders, [name]: 'x@example.com' } }),
        'header-injection',
      );
      expect(error.message).toContain(`"${name}" is not allowed`);
      expect(smtp.standin.accepted.length).toBe(before);
    },
  );

  it('refuses a URL that is not smtp:// or smtps://', () => {
    expect(() => new SmtpAdapter({ url: 'http://127.0.0.1:25' })).toThrow('smtp://');
  });
});
