import { startApnsStandin, type ApnsStandin } from './test-support/apns-standin';
import { useStandinAndAdapter } from '../test-support/adapter-lifecycle';
import { expectPermanentFailure, expectTransientFailure } from '../test-support/delivery-failures';
import { mobilePushMessage } from '../test-support/messages';
import { ApnsAdapter, apnsIdFor } from './apns.adapter';

function adapterFor(standin: ApnsStandin): ApnsAdapter {
  return new ApnsAdapter({
    teamId: standin.teamId,
    keyId: standin.keyId,
    privateKey: standin.privateKey,
    productionUrl: standin.url,
    sandboxUrl: standin.sandboxUrl,
    ca: standin.ca,
    timeoutMs: 5000,
  });
}

describe('ApnsAdapter against the APNs stand-in', () => {
  const apns = useStandinAndAdapter(() => startApnsStandin(), adapterFor);
  const messageTo = (token: string, change = {}, platform: 'apns' | 'apnsSandbox' = 'apns') =>
    mobilePushMessage({ platform, appId: apns.standin.topic, token }, change);

  it('sends an alert over HTTP/2 with the topic, push type, priority, expiry and an apns-id from the delivery id', async () => {
    const token = apns.standin.createDeviceToken();
    const result = await apns.adapter.send(messageTo(token, { urgency: 'high', ttlSeconds: 3600 }));
    expect(result.providerMessageId).toBe(apnsIdFor('exec-1-r0'));
    const push = apns.standin.received.find((each) => each.deviceToken === token);
    expect(push).toMatchObject({
      authority: apns.standin.url.replace('https://', ''),
      topic: apns.standin.topic,
      pushType: 'alert',
      priority: '10',
      payload: {
        aps: { alert: { title: 'Your order shipped', body: 'Ada, it arrives Tuesday' } },
        url: 'https://shop.example/o/1',
        orderId: '1',
      },
    });
    expect(Number(push?.expiration)).toBeGreaterThan(Date.now() / 1000 + 3500);
  });

  it('sends apnsSandbox devices to the sandbox server', async () => {
    const token = apns.standin.createDeviceToken();
    await apns.adapter.send(messageTo(token, {}, 'apnsSandbox'));
    expect(apns.standin.received.find((each) => each.deviceToken === token)?.authority).toBe(
      apns.standin.sandboxUrl.replace('https://', ''),
    );
  });

  it('signs one provider JWT for many sends', async () => {
    const token = apns.standin.createDeviceToken();
    await apns.adapter.send(messageTo(token));
    const before = apns.standin.distinctJwtCount();
    await Promise.all(Array.from({ length: 50 }, () => apns.adapter.send(messageTo(token))));
    expect(apns.standin.distinctJwtCount()).toBe(before);
  });

  it('signs a new JWT once when APNs answers ExpiredProviderToken, and sends', async () => {
    const token = apns.standin.createDeviceToken();
    await apns.adapter.send(messageTo(token));
    apns.standin.expireProviderTokens();
    const before = apns.standin.distinctJwtCount();
    await expect(apns.adapter.send(messageTo(token))).resolves.toHaveProperty('providerMessageId');
    expect(apns.standin.distinctJwtCount()).toBe(before + 1);
  });

  it('reports an Unregistered (410) device as subscription-gone', async () => {
    const token = apns.standin.createDeviceToken();
    apns.standin.unregister(token);
    await expectPermanentFailure(apns.adapter.send(messageTo(token)), 'subscription-gone');
  });

  it('reports BadDeviceToken and DeviceTokenNotForTopic as subscription-gone', async () => {
    await expectPermanentFailure(apns.adapter.send(messageTo('ab'.repeat(32))), 'subscription-gone');
    const otherApp = apns.standin.createDeviceToken('com.example.other');
    await expectPermanentFailure(apns.adapter.send(messageTo(otherApp)), 'subscription-gone');
  });

  it('turns TooManyRequests (429) with Retry-After into a transient error carrying the wait', async () => {
    apns.standin.behave({ status: 429, retryAfterSeconds: 4, times: 1 });
    await expectTransientFailure(
      apns.adapter.send(messageTo(apns.standin.createDeviceToken())),
      'provider-throttled',
      { retryAfterMs: 4000 },
    );
  });

  it.each([500, 503])('turns a %i into a transient provider-unavailable', async (status) => {
    apns.standin.behave({ status });
    await expectTransientFailure(
      apns.adapter.send(messageTo(apns.standin.createDeviceToken())),
      'provider-unavailable',
    );
  });

  it('refuses a payload over 4096 bytes without calling APNs', async () => {
    const token = apns.standin.createDeviceToken();
    const message = messageTo(token);
    await expectPermanentFailure(
      apns.adapter.send({ ...message, payload: { ...message.payload, body: 'x'.repeat(5000) } }),
      'push-payload-too-large',
    );
    expect(apns.standin.received.some((each) => each.deviceToken === token)).toBe(false);
  });

  it('opens a new HTTP/2 session when the previous one has closed', async () => {
    const token = apns.standin.createDeviceToken();
    await apns.adapter.send(messageTo(token));
    await apns.adapter.close();
    await expect(apns.adapter.send(messageTo(token))).resolves.toHaveProperty('providerMessageId');
  });

  it('fails for good when APNs keeps refusing the provider token', async () => {
    const other = await startApnsStandin();
    const wrongKey = new ApnsAdapter({ ...adapterForOptions(apns.standin), privateKey: other.privateKey });
    try {
      await expectPermanentFailure(
        wrongKey.send(messageTo(apns.standin.createDeviceToken())),
        'provider-auth-failed',
      );
    } finally {
      await wrongKey.close();
      await other.close();
    }
  });
});

function adapterForOptions(standin: ApnsStandin) {
  return {
    teamId: standin.teamId,
    keyId: standin.keyId,
    privateKey: standin.privateKey,
    productionUrl: standin.url,
    sandboxUrl: standin.sandboxUrl,
    ca: standin.ca,
  };
}
