import { startFcmStandin, type FcmStandin } from './test-support/fcm-standin';
import { useStandinAndAdapter } from '../test-support/adapter-lifecycle';
import { expectPermanentFailure, expectTransientFailure } from '../test-support/delivery-failures';
import { mobilePushMessage } from '../test-support/messages';
import { FcmAdapter } from './fcm.adapter';

function adapterFor(standin: FcmStandin): FcmAdapter & { close(): Promise<void> } {
  const adapter = new FcmAdapter({
    projectId: standin.projectId,
    clientEmail: standin.serviceAccount.client_email,
    privateKey: standin.serviceAccount.private_key,
    tokenUrl: standin.serviceAccount.token_uri,
    apiUrl: standin.url,
    timeoutMs: 5000,
  });
  return Object.assign(adapter, { close: async () => undefined });
}

describe('FcmAdapter against the FCM stand-in', () => {
  const fcm = useStandinAndAdapter(() => startFcmStandin(), adapterFor);
  const messageTo = (token: string, change = {}) =>
    mobilePushMessage({ platform: 'fcm', appId: 'com.example.herald', token }, change);

  it('sends an FCM v1 message with notification, string data carrying the url, and android ttl and priority', async () => {
    const token = fcm.standin.createToken();
    const result = await fcm.adapter.send(messageTo(token, { ttlSeconds: 600, urgency: 'high' }));
    expect(result.providerMessageId).toMatch(/^projects\/herald-test\/messages\//);
    expect(fcm.standin.received.find((message) => message.token === token)).toMatchObject({
      notification: { title: 'Your order shipped', body: 'Ada, it arrives Tuesday' },
      data: { orderId: '1', url: 'https://shop.example/o/1' },
      android: { ttl: '600s', priority: 'HIGH' },
    });
  });

  it('exchanges the service account assertion once for many sends', async () => {
    const token = fcm.standin.createToken();
    const before = fcm.standin.tokenExchanges;
    await Promise.all(Array.from({ length: 20 }, () => fcm.adapter.send(messageTo(token))));
    expect(fcm.standin.tokenExchanges - before).toBeLessThanOrEqual(1);
    const used = new Set(fcm.standin.received.map((message) => message.accessToken));
    expect(used.size).toBe(1);
  });

  it('fetches a new access token once when FCM refuses the cached one', async () => {
    const token = fcm.standin.createToken();
    await fcm.adapter.send(messageTo(token));
    fcm.standin.revokeAccessTokens();
    const before = fcm.standin.tokenExchanges;
    await expect(fcm.adapter.send(messageTo(token))).resolves.toHaveProperty('providerMessageId');
    expect(fcm.standin.tokenExchanges).toBe(before + 1);
  });

  it('reports an UNREGISTERED token as subscription-gone', async () => {
    const token = fcm.standin.createToken();
    fcm.standin.unregister(token);
    await expectPermanentFailure(fcm.adapter.send(messageTo(token)), 'subscription-gone');
  });

  it('reports a token FCM does not recognise, answered without naming a field, as provider-rejected', async () => {
    // FCM's documented answer here (an FcmError, no field) is also what a bad message can get.
    await expectPermanentFailure(fcm.adapter.send(messageTo('not-a-token')), 'provider-rejected');
  });

  it('turns QUOTA_EXCEEDED (429) with Retry-After into a transient error carrying the wait', async () => {
    fcm.standin.behave({ status: 429, retryAfterSeconds: 7, times: 1 });
    await expectTransientFailure(
      fcm.adapter.send(messageTo(fcm.standin.createToken())),
      'provider-throttled',
      {
        retryAfterMs: 7000,
      },
    );
  });

  it.each([500, 503])('turns a %i into a transient provider-unavailable', async (status) => {
    fcm.standin.behave({ status, retryAfterSeconds: 2 });
    await expectTransientFailure(
      fcm.adapter.send(messageTo(fcm.standin.createToken())),
      'provider-unavailable',
      {
        retryAfterMs: 2000,
      },
    );
  });

  it('refuses a payload over 4096 bytes without calling FCM', async () => {
    const token = fcm.standin.createToken();
    const count = fcm.standin.received.length;
    const message = messageTo(token);
    await expectPermanentFailure(
      fcm.adapter.send({ ...message, payload: { ...message.payload, body: 'x'.repeat(5000) } }),
      'push-payload-too-large',
    );
    expect(fcm.standin.received.length).toBe(count);
  });

  it('refuses APNs devices', async () => {
    const message = mobilePushMessage({
      platform: 'apns',
      appId: 'com.example.herald',
      token: 'ab'.repeat(32),
    });
    await expectPermanentFailure(fcm.adapter.send(message), 'channel-not-supported');
  });

  it('fails for good when the token endpoint refuses the service account', async () => {
    const other = await startFcmStandin();
    try {
      const wrongKey = new FcmAdapter({
        projectId: fcm.standin.projectId,
        clientEmail: fcm.standin.serviceAccount.client_email,
        privateKey: other.serviceAccount.private_key,
        tokenUrl: fcm.standin.serviceAccount.token_uri,
        apiUrl: fcm.standin.url,
      });
      await expectPermanentFailure(
        wrongKey.send(messageTo(fcm.standin.createToken())),
        'provider-auth-failed',
      );
    } finally {
      await other.close();
    }
  });
});
