import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { PermanentDeliveryError } from '@herald/errors';
import { createTempDir, type TempDir } from '@herald/testing';
import { OutboxAdapter } from './outbox.adapter';
import { emailMessage, pushMessage, smsMessage } from '../test-support/messages';

describe('OutboxAdapter', () => {
  let dir: TempDir;
  beforeEach(() => (dir = createTempDir('outbox')));
  afterEach(() => dir.remove());

  const message = emailMessage({ subject: 'Hello Ada — ünïcode', html: '<p>Hi</p>', text: 'Hi' });
  const unsubscribeHeaders = {
    'List-Unsubscribe': `<https://t.example.com/u/${'aZ0-_'.repeat(80)}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };

  /** A header as written, unfolded: mailparser turns List-* headers into its own `list` object. */
  const headerOf = (parsed: ParsedMail, name: string): string | undefined => {
    const line = parsed.headerLines.find((header) => header.key === name.toLowerCase())?.line;
    return line
      ?.slice(name.length + 1)
      .replace(/\r?\n(?=[ \t])/g, '')
      .trim();
  };

  it('writes a parseable .eml named by delivery id', async () => {
    const result = await new OutboxAdapter(dir.path).send(message);
    expect(result.providerMessageId).toBe('outbox:exec-1-r0');
    const file = path.join(dir.path, 'email', 'exec-1-r0.eml');
    const parsed = await simpleParser(readFileSync(file));
    expect(parsed.subject).toBe('Hello Ada — ünïcode');
    expect(parsed.from?.text).toBe('"Herald" <hello@example.com>');
    expect(parsed.html).toBe('<p>Hi</p>');
    expect(parsed.text?.trim()).toBe('Hi');
    expect(parsed.headers.get('x-herald-execution-id')).toBe('exec-1');
  });

  it('keeps the List-Unsubscribe headers in the written .eml', async () => {
    await new OutboxAdapter(dir.path).send({ ...message, headers: unsubscribeHeaders });
    const parsed = await simpleParser(readFileSync(path.join(dir.path, 'email', 'exec-1-r0.eml')));
    expect(headerOf(parsed, 'List-Unsubscribe')).toBe(unsubscribeHeaders['List-Unsubscribe']);
    expect(headerOf(parsed, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
  });

  it('refuses a line break in a header value and writes nothing', async () => {
    const headers = {
      ...unsubscribeHeaders,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click\r\nBcc: x@example.com',
    };
    await expect(new OutboxAdapter(dir.path).send({ ...message, headers })).rejects.toMatchObject({
      constructor: PermanentDeliveryError,
      code: 'header-injection',
    });
    expect(existsSync(path.join(dir.path, 'email'))).toBe(false);
  });

  it('refuses a header outside the allow-list and writes nothing', async () => {
    const headers = { ...unsubscribeHeaders, Bcc: 'victim@example.com' };
    await expect(new OutboxAdapter(dir.path).send({ ...message, headers })).rejects.toMatchObject({
      constructor: PermanentDeliveryError,
      code: 'header-injection',
      message: expect.stringContaining('"Bcc" is not allowed'),
    });
    expect(existsSync(path.join(dir.path, 'email'))).toBe(false);
  });

  it('leaves one file when the same delivery is sent twice', async () => {
    const adapter = new OutboxAdapter(dir.path);
    await adapter.send(message);
    await adapter.send({ ...message, subject: 'second' });
    expect(readdirSync(path.join(dir.path, 'email'))).toEqual(['exec-1-r0.eml']);
  });

  it('refuses a subject that would inject a header', async () => {
    await expect(
      new OutboxAdapter(dir.path).send({ ...message, subject: 'Hi\r\nBcc: victim@example.com' }),
    ).rejects.toBeInstanceOf(PermanentDeliveryError);
  });

  it('refuses a delivery id that is not a safe file name', async () => {
    await expect(
      new OutboxAdapter(dir.path).send({ ...message, deliveryId: '../../etc/x' }),
    ).rejects.toMatchObject({ code: 'invalid-delivery-id' });
  });

  it('writes an SMS as JSON named by delivery id', async () => {
    const sms = smsMessage({ deliveryId: 'exec-2-r0', executionId: 'exec-2', from: 'Shop' });
    const result = await new OutboxAdapter(dir.path).send(sms);
    expect(result.providerMessageId).toBe('outbox:exec-2-r0');
    const written: unknown = JSON.parse(readFileSync(path.join(dir.path, 'sms', 'exec-2-r0.json'), 'utf8'));
    expect(written).toEqual(sms);
  });

  it('writes a push message as JSON with the endpoint but without the subscription keys', async () => {
    const subscription = {
      endpoint: 'https://push.example.com/sub/1',
      keys: { p256dh: 'public-key', auth: 'secret-auth' },
    };
    const push = pushMessage(subscription, {
      deliveryId: 'exec-3-r0',
      executionId: 'exec-3',
      payload: {
        title: 'Shipped',
        body: 'Order A-1',
        url: 'https://shop.example.com/a-1',
        data: { id: 'A-1' },
      },
      ttlSeconds: 3600,
      urgency: 'high',
    });
    await new OutboxAdapter(dir.path).send(push);
    const text = readFileSync(path.join(dir.path, 'push', 'exec-3-r0.json'), 'utf8');
    expect(JSON.parse(text)).toEqual({
      ...push,
      subscription: { endpoint: 'https://push.example.com/sub/1' },
    });
    expect(text).not.toContain('secret-auth');
    expect(text).not.toContain('public-key');
  });
});
