import { PermanentDeliveryError, TransientDeliveryError } from '@herald/errors';
import { startSendGridStandin, type AcceptedMail } from './test-support/sendgrid-standin';
import type { EmailMessage } from '@herald/contracts';
import { SendGridAdapter } from './sendgrid.adapter';
import { useStandinAndAdapter } from '../test-support/adapter-lifecycle';
import { emailMessage } from '../test-support/messages';

describe('SendGridAdapter sharing requests between concurrent sends, against the SendGrid stand-in', () => {
  const sendGrid = useStandinAndAdapter(
    startSendGridStandin,
    (standin) => new SendGridAdapter({ apiKey: standin.apiKey, baseUrl: standin.url, timeoutMs: 2000 }),
  );

  let sequence = 0;
  /** A message to its own recipient, with its own subject and bodies. */
  const messageFor = (name: string, change: Partial<EmailMessage> = {}): EmailMessage => {
    sequence += 1;
    return emailMessage({
      deliveryId: `exec-b-r${sequence}`,
      executionId: 'exec-b',
      replyTo: 'support@example.com',
      to: `${name}@example.com`,
      subject: `Hello ${name} #${sequence}`,
      html: `<p>Hi ${name}, order ${sequence}</p>`,
      text: `Hi ${name}, order ${sequence}`,
      ...change,
    });
  };
  const acceptedFor = (message: EmailMessage): AcceptedMail[] =>
    sendGrid.standin.accepted.filter((mail) => mail.customArgs.delivery_id === message.deliveryId);

  it('sends concurrent messages in fewer requests, each recipient getting exactly its own mail', async () => {
    const messages = Array.from({ length: 30 }, (_, i) => messageFor(`person${i}`));
    const before = sendGrid.standin.requestCount;
    const results = await Promise.all(messages.map((message) => sendGrid.adapter.send(message)));
    const requests = sendGrid.standin.requestCount - before;
    expect(requests).toBeGreaterThanOrEqual(1);
    expect(requests).toBeLessThan(30);
    messages.forEach((message, i) => {
      expect(acceptedFor(message)).toEqual([
        {
          messageId: results[i]!.providerMessageId,
          to: message.to,
          from: 'hello@example.com',
          subject: message.subject,
          html: message.html,
          text: message.text,
          customArgs: { sandbox: 'prod', execution_id: 'exec-b', delivery_id: message.deliveryId },
          acceptedAt: expect.any(Number),
        },
      ]);
    });
  });

  it('never names one address twice in a request: two campaigns mailing the same people at once all go through', async () => {
    const people = ['dup', 'other', 'third'];
    const first = people.map((name) => messageFor(name));
    const second = people.map((name) => messageFor(name === 'dup' ? 'DUP' : name));
    const before = sendGrid.standin.requestCount;
    const results = await Promise.allSettled(
      [...first, ...second].map((message) => sendGrid.adapter.send(message)),
    );
    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    // Two shared requests (each address once in each), not a fallback to one request per message.
    expect(sendGrid.standin.requestCount - before).toBe(2);
    for (const message of [...first, ...second]) expect(acceptedFor(message)).toHaveLength(1);
  });

  it('gives each recipient of a shared request its own List-Unsubscribe headers', async () => {
    const messages = Array.from({ length: 5 }, (_, i) =>
      messageFor(`unsub${i}`, {
        headers: {
          'List-Unsubscribe': `<https://t.example.com/u/token-${i}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
      }),
    );
    await Promise.all(messages.map((message) => sendGrid.adapter.send(message)));
    // Sent in the same tick, so in one request: one personalization each.
    expect(new Set(messages.flatMap(acceptedFor).map((mail) => mail.messageId)).size).toBe(1);
    for (const message of messages) {
      expect(acceptedFor(message).map((mail) => mail.headers)).toEqual([message.headers]);
    }
  });

  it('fails only the message with an invalid address when SendGrid refuses the shared request', async () => {
    const messages = [messageFor('ok1'), messageFor('bad', { to: 'not-an-address' }), messageFor('ok2')];
    const outcomes = await Promise.allSettled(messages.map((message) => sendGrid.adapter.send(message)));
    expect(outcomes[0]).toMatchObject({ status: 'fulfilled' });
    expect(outcomes[2]).toMatchObject({ status: 'fulfilled' });
    expect(outcomes[1]).toMatchObject({
      status: 'rejected',
      reason: { constructor: PermanentDeliveryError, code: 'provider-rejected' },
    });
    expect(acceptedFor(messages[0]!)).toHaveLength(1);
    expect(acceptedFor(messages[1]!)).toHaveLength(0);
    expect(acceptedFor(messages[2]!)).toHaveLength(1);
  });

  it('rejects every message of a throttled request as transient, with the Retry-After wait', async () => {
    sendGrid.standin.behave({ status: 429, retryAfterSeconds: 7, times: 1 });
    const before = sendGrid.standin.requestCount;
    const outcomes = await Promise.allSettled(
      [1, 2, 3].map((i) => sendGrid.adapter.send(messageFor(`busy${i}`))),
    );
    expect(sendGrid.standin.requestCount - before).toBe(1);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      const reason = (outcome as PromiseRejectedResult).reason as unknown;
      expect(reason).toBeInstanceOf(TransientDeliveryError);
      expect(reason).toMatchObject({ code: 'provider-throttled', retryAfterMs: 7000 });
    }
  });

  it('rejects every message of a request answered 500 as transient, without sending them one by one', async () => {
    sendGrid.standin.behave({ status: 500, times: 1 });
    const before = sendGrid.standin.requestCount;
    const outcomes = await Promise.allSettled(
      [1, 2].map((i) => sendGrid.adapter.send(messageFor(`down${i}`))),
    );
    expect(sendGrid.standin.requestCount - before).toBe(1);
    expect(outcomes).toMatchObject([
      { status: 'rejected', reason: { constructor: TransientDeliveryError, code: 'provider-unavailable' } },
      { status: 'rejected', reason: { constructor: TransientDeliveryError, code: 'provider-unavailable' } },
    ]);
  });

  it('rejects every message of a shared request refused for its credentials, in one request', async () => {
    const wrongKey = new SendGridAdapter({ apiKey: 'SG.wrong', baseUrl: sendGrid.standin.url });
    const before = sendGrid.standin.requestCount;
    try {
      const outcomes = await Promise.allSettled([1, 2].map((i) => wrongKey.send(messageFor(`auth${i}`))));
      expect(outcomes).toMatchObject([
        { status: 'rejected', reason: { constructor: PermanentDeliveryError, code: 'provider-auth-failed' } },
        { status: 'rejected', reason: { constructor: PermanentDeliveryError, code: 'provider-auth-failed' } },
      ]);
      expect(sendGrid.standin.requestCount - before).toBe(1);
    } finally {
      await wrongKey.close();
    }
  });

  it('sends a message over the substitution limit alone and delivers it intact', async () => {
    // 5,001 two-byte characters: over 10,000 bytes, though under 10,000 characters.
    const large = messageFor('large', { html: `<p>${'é'.repeat(5001)}</p>` });
    const small = [messageFor('small1'), messageFor('small2')];
    const before = sendGrid.standin.requestCount;
    await Promise.all([large, ...small].map((message) => sendGrid.adapter.send(message)));
    expect(sendGrid.standin.requestCount - before).toBe(2);
    const [mail] = acceptedFor(large);
    expect(mail).toMatchObject({ html: large.html, text: large.text, subject: large.subject });
    expect(
      sendGrid.standin.accepted.filter((accepted) => accepted.messageId === mail!.messageId),
    ).toHaveLength(1);
    expect(acceptedFor(small[0]!)[0]!.messageId).toBe(acceptedFor(small[1]!)[0]!.messageId);
  });

  it('never puts messages from different senders in one request', async () => {
    const other = { address: 'news@example.com', name: 'News' };
    const messages = [
      messageFor('s1'),
      messageFor('s2', { from: other }),
      messageFor('s3'),
      messageFor('s4', { from: other }),
    ];
    const before = sendGrid.standin.requestCount;
    await Promise.all(messages.map((message) => sendGrid.adapter.send(message)));
    expect(sendGrid.standin.requestCount - before).toBe(2);
    const senders = new Map<string, Set<string>>();
    for (const mail of messages.flatMap(acceptedFor)) {
      senders.set(mail.messageId, (senders.get(mail.messageId) ?? new Set()).add(mail.from));
    }
    expect([...senders.values()].map((set) => [...set])).toEqual(
      expect.arrayContaining([['hello@example.com'], ['news@example.com']]),
    );
  });

  it('refuses a header line break in one message without failing the others sent with it', async () => {
    const messages = [
      messageFor('h1'),
      messageFor('h2', { subject: 'Hi\r\nBcc: x@example.com' }),
      messageFor('h3'),
    ];
    const outcomes = await Promise.allSettled(messages.map((message) => sendGrid.adapter.send(message)));
    expect(outcomes).toMatchObject([
      { status: 'fulfilled' },
      { status: 'rejected', reason: { constructor: PermanentDeliveryError, code: 'header-injection' } },
      { status: 'fulfilled' },
    ]);
    expect(acceptedFor(messages[1]!)).toHaveLength(0);
  });

  it.each([
    ['maxBatchSize 1', { maxBatchSize: 1 }],
    ['batchWindowMs 0', { batchWindowMs: 0 }],
  ])('sends one request per message with coalescing off (%s)', async (_name, options) => {
    const alone = new SendGridAdapter({
      apiKey: sendGrid.standin.apiKey,
      baseUrl: sendGrid.standin.url,
      ...options,
    });
    const before = sendGrid.standin.requestCount;
    try {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => alone.send(messageFor(`alone${i}`))),
      );
      expect(sendGrid.standin.requestCount - before).toBe(20);
      expect(new Set(results.map((result) => result.providerMessageId)).size).toBe(20);
    } finally {
      await alone.close();
    }
  });

  it('sends the messages still waiting for their window when closed', async () => {
    const patient = new SendGridAdapter({
      apiKey: sendGrid.standin.apiKey,
      baseUrl: sendGrid.standin.url,
      batchWindowMs: 60_000,
    });
    const messages = [messageFor('late1'), messageFor('late2')];
    const sending = Promise.all(messages.map((message) => patient.send(message)));
    await patient.close();
    await expect(sending).resolves.toHaveLength(2);
    expect(messages.flatMap(acceptedFor)).toHaveLength(2);
  });

  it('refuses batching options SendGrid could not honour', () => {
    expect(() => new SendGridAdapter({ apiKey: 'SG.x', maxBatchSize: 1001 })).toThrow(RangeError);
    expect(() => new SendGridAdapter({ apiKey: 'SG.x', maxBatchSize: 0 })).toThrow(RangeError);
    expect(() => new SendGridAdapter({ apiKey: 'SG.x', batchWindowMs: -1 })).toThrow(RangeError);
  });
});
