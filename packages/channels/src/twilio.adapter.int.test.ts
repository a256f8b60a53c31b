import { PermanentDeliveryError, TransientDeliveryError } from '@herald/errors';
import { freePort, startTwilioStandin, type TwilioStandin } from '@herald/testing';
import type { SmsMessage } from './channel-adapter';
import { TwilioAdapter } from './twilio.adapter';

describe('TwilioAdapter against the Twilio stand-in', () => {
  let standin: TwilioStandin;
  let adapter: TwilioAdapter;
  const statusCallbackUrl = 'https://herald.example.com/webhooks/twilio/status';

  beforeAll(async () => {
    standin = await startTwilioStandin();
    adapter = new TwilioAdapter({
      accountSid: standin.accountSid,
      authToken: standin.authToken,
      baseUrl: standin.url,
      statusCallbackUrl,
      timeoutMs: 2000,
    });
  });
  afterAll(async () => {
    await adapter.close();
    await standin.close();
  });
  afterEach(() => standin.behave({}));

  const message: SmsMessage = {
    channel: 'sms',
    deliveryId: 'exec-1-r0',
    executionId: 'exec-1',
    from: '+15005550006',
    to: '+14155550100',
    body: 'Your code is 1234',
  };

  it('creates the message through the SDK and returns its sid', async () => {
    const result = await adapter.send(message);
    expect(result.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(standin.accepted.find((sms) => sms.sid === result.providerMessageId)).toMatchObject({
      to: '+14155550100',
      from: '+15005550006',
      body: 'Your code is 1234',
      statusCallback: statusCallbackUrl,
    });
  });

  it('leaves the status callback out when none is configured', async () => {
    const plain = new TwilioAdapter({
      accountSid: standin.accountSid,
      authToken: standin.authToken,
      baseUrl: standin.url,
    });
    try {
      const result = await plain.send(message);
      expect(
        standin.accepted.find((sms) => sms.sid === result.providerMessageId)?.statusCallback,
      ).toBeUndefined();
    } finally {
      await plain.close();
    }
  });

  it('sends many messages concurrently over kept-alive connections', async () => {
    const results = await Promise.all(Array.from({ length: 100 }, () => adapter.send(message)));
    expect(new Set(results.map((result) => result.providerMessageId)).size).toBe(100);
  });

  it('turns a 429 with Retry-After into a transient error carrying the wait', async () => {
    standin.behave({ status: 429, retryAfterSeconds: 3, times: 1 });
    const error = await adapter.send(message).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransientDeliveryError);
    expect(error).toMatchObject({ code: 'provider-throttled', retryAfterMs: 3000 });
    await expect(adapter.send(message)).resolves.toHaveProperty('providerMessageId');
  });

  it('turns a 500 into a transient provider-unavailable', async () => {
    standin.behave({ status: 500 });
    await expect(adapter.send(message)).rejects.toMatchObject({
      constructor: TransientDeliveryError,
      code: 'provider-unavailable',
    });
  });

  it("turns Twilio's 21211 invalid 'To' answer into a permanent provider-rejected without the number", async () => {
    const error = await adapter.send({ ...message, to: '555-0100' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect(error).toMatchObject({ code: 'provider-rejected' });
    expect((error as Error).message).toContain('21211');
    expect((error as Error).message).not.toContain('555-0100');
  });

  it('turns a wrong auth token into a permanent provider-auth-failed', async () => {
    const wrong = new TwilioAdapter({
      accountSid: standin.accountSid,
      authToken: 'wrong',
      baseUrl: standin.url,
    });
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
    const closed = new TwilioAdapter({
      accountSid: standin.accountSid,
      authToken: standin.authToken,
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
    const impatient = new TwilioAdapter({
      accountSid: standin.accountSid,
      authToken: standin.authToken,
      baseUrl: standin.url,
      timeoutMs: 50,
    });
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
});
