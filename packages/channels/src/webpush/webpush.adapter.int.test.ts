import { generateRequestDetails, generateVAPIDKeys, getVapidHeaders } from 'web-push';
import { PermanentDeliveryError, TransientDeliveryError } from '@herald/errors';
import { freePort } from '@herald/testing';
import { startPushStandin } from './test-support/push-standin';
import type { PushMessage } from '@herald/contracts';
import { sendOnceThenClose, useStandinAndAdapter } from '../test-support/adapter-lifecycle';
import { expectPermanentFailure } from '../test-support/delivery-failures';
import { pushMessage } from '../test-support/messages';
import { WebPushAdapter, type WebPushAdapterOptions } from './webpush.adapter';

const vapid = { ...generateVAPIDKeys(), subject: 'mailto:ops@herald.example' };

function adapterOptions(overrides: Partial<WebPushAdapterOptions> = {}): WebPushAdapterOptions {
  return { vapid, allowPrivateUrls: true, timeoutMs: 2_000, ...overrides };
}

describe('WebPushAdapter against the push stand-in', () => {
  const webPush = useStandinAndAdapter(startPushStandin, () => new WebPushAdapter(adapterOptions()));
  const toNewSubscription = (): PushMessage => pushMessage(webPush.standin.createSubscription());

  it('delivers a payload the subscriber decrypts to exactly what was sent, with TTL and urgency', async () => {
    const subscription = webPush.standin.createSubscription();
    const message = pushMessage(subscription, { ttlSeconds: 3600, urgency: 'high' });

    const result = await webPush.adapter.send(message);

    expect(result.providerMessageId).toMatch(new RegExp(`^${webPush.standin.origin}/message/`));
    expect(webPush.standin.received.at(-1)).toMatchObject({
      endpoint: subscription.endpoint,
      payload: message.payload,
      ttl: 3600,
      urgency: 'high',
      vapidSubject: vapid.subject,
    });
  });

  it('signs one VAPID JWT for 100 messages to the same push service', async () => {
    const ownStandin = await startPushStandin();
    // 100 encryptions at once queue behind each other on a busy 2-core CI machine: what is under
    // test is the JWT count, so the per-request deadline is generous here.
    const ownAdapter = new WebPushAdapter(adapterOptions({ timeoutMs: 30_000 }));
    try {
      const subscriptions = [ownStandin.createSubscription(), ownStandin.createSubscription()];
      await Promise.all(
        Array.from({ length: 100 }, (_, index) => ownAdapter.send(pushMessage(subscriptions[index % 2]!))),
      );
      expect(ownStandin.received).toHaveLength(100);
      expect(ownStandin.distinctJwtCount()).toBe(1);
    } finally {
      ownAdapter.close();
      await ownStandin.close();
    }
  });

  it('reports a subscription the push service says is gone (410) as subscription-gone', async () => {
    const subscription = webPush.standin.createSubscription();
    webPush.standin.expire(subscription.endpoint);

    await expectPermanentFailure(webPush.adapter.send(pushMessage(subscription)), 'subscription-gone');
  });

  it('reports a push service answering 404 as subscription-gone', async () => {
    webPush.standin.behave({ status: 404, times: 1 });
    await expect(webPush.adapter.send(toNewSubscription())).rejects.toMatchObject({
      code: 'subscription-gone',
    });
  });

  it('retries after the push service’s Retry-After when it answers 429', async () => {
    webPush.standin.behave({ status: 429, retryAfterSeconds: 7, times: 1 });

    const failure = webPush.adapter.send(toNewSubscription());

    await expect(failure).rejects.toBeInstanceOf(TransientDeliveryError);
    await expect(failure).rejects.toMatchObject({ retryAfterMs: 7_000 });
  });

  it('retries when the push service fails with 500', async () => {
    webPush.standin.behave({ status: 500, times: 1 });
    await expect(webPush.adapter.send(toNewSubscription())).rejects.toBeInstanceOf(TransientDeliveryError);
  });

  it('fails at once when the push service refuses the message as too large (413)', async () => {
    webPush.standin.behave({ status: 413, times: 1 });
    await expect(webPush.adapter.send(toNewSubscription())).rejects.toBeInstanceOf(PermanentDeliveryError);
  });

  it('retries when the push service does not answer within the timeout', async () => {
    const impatient = new WebPushAdapter(adapterOptions({ timeoutMs: 100 }));
    webPush.standin.behave({ latencyMs: 1_000, times: 1 });
    await expect(sendOnceThenClose(impatient, toNewSubscription())).rejects.toBeInstanceOf(
      TransientDeliveryError,
    );
  });

  it('retries when nothing listens at the endpoint', async () => {
    const { keys } = webPush.standin.createSubscription();
    const endpoint = `http://127.0.0.1:${await freePort()}/push/abc`;
    await expect(webPush.adapter.send(pushMessage({ endpoint, keys }))).rejects.toBeInstanceOf(
      TransientDeliveryError,
    );
  });

  it('refuses a payload too large to encrypt into one push message without calling the service', async () => {
    const before = webPush.standin.received.length;
    const message = pushMessage(webPush.standin.createSubscription(), {
      payload: { title: 'Long', body: 'x'.repeat(5_000) },
    });
    await expect(webPush.adapter.send(message)).rejects.toMatchObject({ code: 'push-payload-too-large' });
    expect(webPush.standin.received).toHaveLength(before);
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
      const { keys } = webPush.standin.createSubscription();
      const message = pushMessage({ endpoint: endpointAt(webPush.standin.port), keys });
      await expectPermanentFailure(strict.send(message), 'endpoint-not-allowed');
    });
  });

  describe('the stand-in, so that its acceptance means something', () => {
    async function postSignedFor(audience: string, publicKey = vapid.publicKey): Promise<number> {
      const subscription = webPush.standin.createSubscription();
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
      expect(await postSignedFor(webPush.standin.origin)).toBe(201);
    });

    it('refuses a JWT signed for another push service', async () => {
      expect(await postSignedFor('https://push.other.example')).toBe(403);
    });

    it('refuses a JWT the public key in k did not sign', async () => {
      expect(await postSignedFor(webPush.standin.origin, generateVAPIDKeys().publicKey)).toBe(403);
    });
  });
});
