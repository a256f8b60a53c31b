import { freePort } from '@herald/testing';
import { startTwilioStandin } from './test-support/twilio-standin';
import { sendOnceThenClose, useStandinAndAdapter } from '../test-support/adapter-lifecycle';
import { expectPermanentFailure, expectTransientFailure } from '../test-support/delivery-failures';
import { smsMessage } from '../test-support/messages';
import { TwilioAdapter } from './twilio.adapter';

describe('TwilioAdapter against the Twilio stand-in', () => {
  const statusCallbackUrl = 'https://herald.example.com/webhooks/twilio/status';
  const twilio = useStandinAndAdapter(
    startTwilioStandin,
    (standin) =>
      new TwilioAdapter({
        accountSid: standin.accountSid,
        authToken: standin.authToken,
        baseUrl: standin.url,
        statusCallbackUrl,
        timeoutMs: 2000,
      }),
  );

  const message = smsMessage();

  it('creates the message through the SDK and returns its sid, with a status callback naming the delivery', async () => {
    const result = await twilio.adapter.send(message);
    expect(result.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(twilio.standin.accepted.find((sms) => sms.sid === result.providerMessageId)).toMatchObject({
      to: '+14155550100',
      from: '+15005550006',
      body: 'Your code is 1234',
      statusCallback: `${statusCallbackUrl}?sandbox=prod&deliveryId=exec-1-r0`,
    });
  });

  it('sends through a Messaging Service when the sender is its SID, with no From', async () => {
    const service = `MG${'0123456789abcdef'.repeat(2)}`;
    const result = await twilio.adapter.send({ ...message, from: service });
    expect(twilio.standin.accepted.find((sms) => sms.sid === result.providerMessageId)).toMatchObject({
      from: '',
      messagingServiceSid: service,
      to: '+14155550100',
    });
  });

  it('leaves the status callback out when none is configured', async () => {
    const plain = new TwilioAdapter({
      accountSid: twilio.standin.accountSid,
      authToken: twilio.standin.authToken,
      baseUrl: twilio.standin.url,
    });
    const result = await sendOnceThenClose(plain, message);
    expect(
      twilio.standin.accepted.find((sms) => sms.sid === result.providerMessageId)?.statusCallback,
    ).toBeUndefined();
  });

  it('sends many messages concurrently over kept-alive connections', async () => {
    const results = await Promise.all(Array.from({ length: 100 }, () => twilio.adapter.send(message)));
    expect(new Set(results.map((result) => result.providerMessageId)).size).toBe(100);
  });

  it('turns a 429 with Retry-After into a transient error carrying the wait', async () => {
    twilio.standin.behave({ status: 429, retryAfterSeconds: 3, times: 1 });
    await expectTransientFailure(twilio.adapter.send(message), 'provider-throttled', { retryAfterMs: 3000 });
    await expect(twilio.adapter.send(message)).resolves.toHaveProperty('providerMessageId');
  });

  it('turns a 500 into a transient provider-unavailable', async () => {
    twilio.standin.behave({ status: 500 });
    await expectTransientFailure(twilio.adapter.send(message), 'provider-unavailable');
  });

  it("turns Twilio's 21211 invalid 'To' answer into a permanent provider-rejected without the number", async () => {
    const error = await expectPermanentFailure(
      twilio.adapter.send({ ...message, to: '555-0100' }),
      'provider-rejected',
    );
    expect(error.message).toContain('21211');
    expect(error.message).not.toContain('555-0100');
  });

  it('turns a wrong auth token into a permanent provider-auth-failed', async () => {
    const wrong = new TwilioAdapter({
      accountSid: twilio.standin.accountSid,
      authToken: 'wrong',
      baseUrl: twilio.standin.url,
    });
    await expectPermanentFailure(sendOnceThenClose(wrong, message), 'provider-auth-failed');
  });

  it('turns a refused connection into a transient provider-unreachable', async () => {
    const closed = new TwilioAdapter({
      accountSid: twilio.standin.accountSid,
      authToken: twilio.standin.authToken,
      baseUrl: `http://127.0.0.1:${await freePort()}`,
    });
    await expectTransientFailure(sendOnceThenClose(closed, message), 'provider-unreachable');
  });

  it('turns a provider slower than the timeout into a transient provider-unreachable', async () => {
    const impatient = new TwilioAdapter({
      accountSid: twilio.standin.accountSid,
      authToken: twilio.standin.authToken,
      baseUrl: twilio.standin.url,
      timeoutMs: 50,
    });
    twilio.standin.behave({ latencyMs: 300 });
    await expectTransientFailure(sendOnceThenClose(impatient, message), 'provider-unreachable');
  });
});
