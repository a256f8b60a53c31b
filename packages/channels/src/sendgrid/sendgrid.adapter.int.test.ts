import { freePort } from '@herald/testing';
import { startSendGridStandin } from './test-support/sendgrid-standin';
import { SendGridAdapter } from './sendgrid.adapter';
import { sendOnceThenClose, useStandinAndAdapter } from '../test-support/adapter-lifecycle';
import { expectPermanentFailure, expectTransientFailure } from '../test-support/delivery-failures';
import { emailMessage } from '../test-support/messages';

describe('SendGridAdapter against the SendGrid stand-in', () => {
  const sendGrid = useStandinAndAdapter(
    startSendGridStandin,
    (standin) => new SendGridAdapter({ apiKey: standin.apiKey, baseUrl: standin.url, timeoutMs: 2000 }),
  );

  const message = emailMessage({ replyTo: 'support@example.com' });
  const unsubscribeHeaders = {
    'List-Unsubscribe': '<https://t.example.com/u/token-1>',
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };

  it('sends through the SDK and returns the x-message-id as provider message id', async () => {
    const result = await sendGrid.adapter.send(message);
    const mail = sendGrid.standin.accepted.find(
      (accepted) => accepted.messageId === result.providerMessageId,
    );
    expect(mail).toMatchObject({
      to: 'ada@example.com',
      from: 'hello@example.com',
      subject: 'Hello Ada',
      html: '<p>Hi Ada</p>',
      text: 'Hi Ada',
      customArgs: { sandbox: 'prod', execution_id: 'exec-1', delivery_id: 'exec-1-r0' },
    });
  });

  it('carries only the sandbox, execution and delivery ids as custom args', async () => {
    const result = await sendGrid.adapter.send(message);
    const mail = sendGrid.standin.accepted.find(
      (accepted) => accepted.messageId === result.providerMessageId,
    );
    expect(Object.keys(mail!.customArgs).sort()).toEqual(['delivery_id', 'execution_id', 'sandbox']);
  });

  it('sends the List-Unsubscribe headers and SendGrid accepts them', async () => {
    const result = await sendGrid.adapter.send({ ...message, headers: unsubscribeHeaders });
    const mail = sendGrid.standin.accepted.find(
      (accepted) => accepted.messageId === result.providerMessageId,
    );
    expect(mail?.headers).toEqual(unsubscribeHeaders);
  });

  it('sends many messages concurrently, each accepted once under the id its request got', async () => {
    const before = sendGrid.standin.accepted.length;
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        sendGrid.adapter.send({ ...message, deliveryId: `exec-1-c${i}` }),
      ),
    );
    const mails = sendGrid.standin.accepted.slice(before);
    expect(mails).toHaveLength(200);
    results.forEach((result, i) => {
      const mine = mails.filter((mail) => mail.customArgs.delivery_id === `exec-1-c${i}`);
      expect(mine.map((mail) => mail.messageId)).toEqual([result.providerMessageId]);
    });
  });

  it('turns a 429 with Retry-After into a transient error carrying the wait', async () => {
    sendGrid.standin.behave({ status: 429, retryAfterSeconds: 7, times: 1 });
    await expectTransientFailure(sendGrid.adapter.send(message), 'provider-throttled', {
      retryAfterMs: 7000,
    });
    await expect(sendGrid.adapter.send(message)).resolves.toHaveProperty('providerMessageId');
  });

  it('turns a 500 into a transient provider-unavailable', async () => {
    sendGrid.standin.behave({ status: 500 });
    await expectTransientFailure(sendGrid.adapter.send(message), 'provider-unavailable');
  });

  it('turns an invalid recipient address (400 from SendGrid) into a permanent provider-rejected', async () => {
    const error = await expectPermanentFailure(
      sendGrid.adapter.send({ ...message, to: 'not-an-address' }),
      'provider-rejected',
    );
    expect(error.message).toContain('personalizations.0.to.0.email');
  });

  it('turns a wrong API key into a permanent provider-auth-failed', async () => {
    const wrongKey = new SendGridAdapter({ apiKey: 'SG.wrong', baseUrl: sendGrid.standin.url });
    await expectPermanentFailure(sendOnceThenClose(wrongKey, message), 'provider-auth-failed');
  });

  it('turns a refused connection into a transient provider-unreachable', async () => {
    const closed = new SendGridAdapter({
      apiKey: sendGrid.standin.apiKey,
      baseUrl: `http://127.0.0.1:${await freePort()}`,
    });
    await expectTransientFailure(sendOnceThenClose(closed, message), 'provider-unreachable');
  });

  it('turns a provider slower than the timeout into a transient provider-unreachable', async () => {
    const impatient = new SendGridAdapter({
      apiKey: sendGrid.standin.apiKey,
      baseUrl: sendGrid.standin.url,
      timeoutMs: 50,
    });
    sendGrid.standin.behave({ latencyMs: 300 });
    await expectTransientFailure(sendOnceThenClose(impatient, message), 'provider-unreachable');
  });

  it.each([
    ['subject', { subject: 'Hi\r\nBcc: victim@example.com' }],
    ['from name', { from: { address: 'hello@example.com', name: 'Herald\nBcc: x@example.com' } }],
    ['to', { to: 'ada@example.com\r\nBcc: x@example.com' }],
    [
      'List-Unsubscribe header',
      { headers: { 'List-Unsubscribe': '<https://t.example.com/u/x>\nBcc: x@example.com' } },
    ],
  ])('refuses a line break in the %s before calling SendGrid', async (_field, change) => {
    const before = sendGrid.standin.requestCount;
    await expectPermanentFailure(sendGrid.adapter.send({ ...message, ...change }), 'header-injection');
    expect(sendGrid.standin.requestCount).toBe(before);
  });

  // Reply-To and X-SG-ID: headers SendGrid reserves; X-Herald-Delivery-Id: one Herald's feedback relies on.
  it.each(['Reply-To', 'X-SG-ID', 'X-Herald-Delivery-Id'])(
    'refuses the header %s, outside the allow-list, before calling SendGrid',
    async (name) => {
      const before = sendGrid.standin.requestCount;
      const error = await expectPermanentFailure(
        sendGrid.adapter.send({ ...message, headers: { ...unsubscribeHeaders, [name]: 'x' } }),
        'header-injection',
      );
      expect(error.message).toContain(`"${name}" is not allowed`);
      expect(sendGrid.standin.requestCount).toBe(before);
    },
  );

  it('refuses an e-mail with no body as permanent', async () => {
    await expectPermanentFailure(
      sendGrid.adapter.send({ ...message, html: undefined, text: undefined }),
      'empty-body',
    );
  });
});
