import { generateRequestDetails, generateVAPIDKeys, getVapidHeaders } from 'web-push';
import { PermanentDeliveryError, TransientDeliveryError } from '@herald/errors';
import { freePort, startPushStandin, type PushStandin } from '@herald/testing';
import type { PushMessage, PushTarget } from './channel-adapter';
import { WebPushAdapter, type WebPushAdapterOptions } from './webpush.adapter';

const vapid = { ...generateVAPIDKeys(), subject: 'mailto:ops@herald.example' };

function adapterOptions(overrides: Partial<WebPushAdapterOptions> = {}): WebPushAdapterOptions {
  return { vapid, allowPrivateUrls: true, timeoutMs: 2_000, ...overrides };
}

function pushTo(subscription: PushTarget, overrides: Partial<PushMessage> = {}): PushMessage {
  return {
    channel: 'push',
    deliveryId: 'exec-1-r0',
    executionId: 'exec-1',
    subscription,
    payload: {
      title: 'Your order shipped',
      body: 'Ada, it arrives Tuesday',
      url: 'https://shop.example/o/1',
    },
    ...overrides,
  };
}

describe('WebPushAdapter against the push stand-in', () => {
  let standin: PushStandin;
  let adapter: WebPushAdapter;

  beforeAll(async () => {
    standin = await startPushStandin();
    adapter = new WebPushAdapter(adapterOptions());
  });
  afterEach(() => standin.behave({}));
  afterAll(async () => {
    adapter.close();
    await standin.close();
  });

  it('delivers a payload the subscriber decrypts to exactly what was sent, with TTL and urgency', async () => {
    const subscription = standin.createSubscription();
    const message = pushTo(subscription, { ttlSeconds: 3600, urgency: 'high' });

    const result = await adapter.send(message);

    expect(result.providerMessageId).toMatch(new RegExp(`^${standin.origin}/message/`));
    expect(standin.received.at(-1)).toMatchObject({
      endpoint: subscription.endpoint,
      payload: message.payload,
      ttl: 3600,
      urgency: 'high',
      vapidSubject: vapid.subject,
    });
  });

  it('signs one VAPID JWT for 100 messages to the same push service', async () => {
    const ownStandin = await startPushStandin();
    const ownAdapter = new WebPushAdapter(adapterOptions());
    try {
      const subscriptions = [ownStandin.createSubscription(), ownStandin.createSubscription()];
      await Promise.all(
        Array.from({ length: 100 }, (_, index) => ownAdapter.send(pushTo(subscriptions[index % 2]!))),
      );
      expect(ownStandin.received).toHaveLength(100);
      expect(ownStandin.distinctJwtCount()).toBe(1);
    } finally {
      ownAdapter.close();
      await ownStandin.close();
    }
  });

  it('reports a subscription the push service says is gone (410) as subscription-gone', async () => {
    const subscription = standin.createSubscription();
    standin.expire(subscription.endpoint);

    const failure = adapter.send(pushTo(subscription));

    await expect(failure).rejects.toBeInstanceOf(PermanentDeliveryError);
    await expect(failure).rejects.toMatchObject({ code: 'subscription-gone' });
  });

  it('reports a push service answering 404 as subscription-gone', async () => {
    standin.behave({ status: 404, times: 1 });
    await expect(adapter.send(pushTo(standin.createSubscription()))).rejects.toMatchObject({
      code: 'subscription-gone',
    });
  });

  it('retries after the push service’s Retry-After when it answers 429', async () => {
    standin.behave({ status: 429, retryAfterSeconds: 7, times: 1 });

    const failure = adapter.send(pushTo(standin.createSubscription()));

    await expect(failure).rejects.toBeInstanceOf(TransientDeliveryError);
    await expect(failure).rejects.toMatchObject({ retryAfterMs: 7_000 });
  });

  it('retries when the push service fails with 500', async () => {
    standin.behave({ status: 500, times: 1 });
    await expect(adapter.send(pushTo(standin.createSubscription()))).rejects.toBeInstanceOf(
      TransientDeliveryError,
    );
  });

  it('fails at once when the push service refuses the message as too large (413)', async () => {
    standin.behave({ status: 413, times: 1 });
    await expect(adapter.send(pushTo(standin.createSubscription()))).rejects.toBeInstanceOf(
      PermanentDeliveryError,
    );
  });

  it('retries when the push service does not answer within the timeout', async () => {
    const impatient = new WebPushAdapter(adapterOptions({ timeoutMs: 100 }));
    standin.behave({ latencyMs: 1_000, times: 1 });
    try {
      await expect(impatient.send(pushTo(standin.createSubscription()))).rejects.toBeInstanceOf(
        TransientDeliveryError,
      );
    } finally {
      impatient.close();
    }
  });

  it('retries when nothing listens at the endpoint', async () => {
    const { keys } = standin.createSubscription();
    const endpoint = `http://127.0.0.1:${await freePort()}/push/abc`;
    await expect(adapter.send(pushTo({ endpoint, keys }))).rejects.toBeInstanceOf(TransientDeliveryError);
  });

  it('refuses a payload too large to encrypt into one push message without calling the service', async () => {
    const before = standin.received.length;
    const message = pushTo(standin.createSubscription(), {
      payload: { title: 'Long', body: 'x'.repeat(5_000) },
    });
    await expect(adapter.send(message)).rejects.toMatchObject({ code: 'payload-too-large' });
    expect(standin.received).toHaveLength(before);
  });

  describe('when private URLs are not allowed', () => {
    let strict: WebPushAdapter;
    beforeAll(() => (strict = new WebPushAdapter(adapterOptions({ allowPrivateUrls: false }))));
    afterAll(() => strict.close());

    it.each([
      ['a loopback IP', (port: number) => `https://127.0.0.1:${port}/push/abc`],
      ['an IPv4-mapped loopback IP', (port: number) => `https://[::ffff:127.0.0.1]:${port}/push/abc`],
      ['a name that resolves to loopback', (port: number) => `https://localhost:${port}/push/abc`],
      ['plain http', () => 'http://push.example/push/abc'],
    ])('refuses an endpoint on %s as endpoint-not-allowed', async (_case, endpointAt) => {
      const { keys } = standin.createSubscription();
      const failure = strict.send(pushTo({ endpoint: endpointAt(standin.port), keys }));
      await expect(failure).rejects.toBeInstanceOf(PermanentDeliveryError);
      await expect(failure).rejects.toMatchObject({ code: 'endpoint-not-allowed' });
    });
  });

  describe('the stand-in, so that its acceptance means something', () => {
    async function postSignedFor(audience: string, publicKey = vapid.publicKey): Promise<number> {
      const subscription = standin.createSubscription();
      const { Authorization } = getVapidHeaders(
        audience,
        vapid.subject,
        vapid.publicKey,
        vapid.privateKey,
        'aes128gcm',
      );
      const details = generateRequestDetails(subscription, '{}', {
        contentEncoding: 'aes128gcm',
        headers: { Authorization: Authorization.replace(vapid.publicKey, publicKey) },
      });
      const response = await fetch(subscription.endpoint, {
        method: 'POST',
        headers: details.headers,
        body: details.body,
      });
      return response.status;
    }

    it('accepts a JWT signed for its own origin', async () => {
      expect(await postSignedFor(standin.origin)).toBe(201);
    });

    it('refuses a JWT signed for another push service', async () => {
      expect(await postSignedFor('https://push.other.example')).toBe(403);
    });

    it('refuses a JWT the public key in k did not sign', async () => {
      expect(await postSignedFor(standin.origin, generateVAPIDKeys().publicKey)).toBe(403);
    });
  });
});
