import { generateVAPIDKeys } from 'web-push';
import type { PushSubscription, Recipient } from '@herald/contracts';
import { pushCampaignFixture } from '@herald/testing';
import { startPushStandin, type PushStandin } from '@herald/channels/test-support';
import { startWorkerHarness, type WorkerHarness } from './worker-harness.fixture';

const APP_ID = pushCampaignFixture.channelConfig.push!.appId!;

describe('worker delivering web push with VAPID to the push stand-in', () => {
  let push: PushStandin;
  let h: WorkerHarness;
  let profileCount = 0;

  beforeAll(async () => {
    push = await startPushStandin();
    const vapid = generateVAPIDKeys();
    h = await startWorkerHarness('providers-webpush', {
      PUSH_PROVIDER: 'webpush',
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      VAPID_SUBJECT: 'mailto:ops@herald.example',
      PROVIDER_TIMEOUT_MS: '2000',
    });
  });
  afterAll(async () => {
    await h?.stop();
    await push?.close();
  });

  /** A profile with two browsers subscribed for the campaign's app and one for another app. */
  async function subscribedProfile() {
    const email = `push${++profileCount}@example.com`;
    const devices: PushSubscription[] = [
      { ...push.createSubscription(), appId: APP_ID },
      { ...push.createSubscription(), appId: APP_ID },
    ];
    const otherApp: PushSubscription = { ...push.createSubscription(), appId: 'back-office' };
    const profile = await h.store.profiles.create('prod', {
      identities: [{ namespace: 'email', id: email }],
      attributes: { person: { name: { firstName: 'Ada' } } },
      pushSubscriptions: [...devices, otherApp],
    });
    const recipient: Recipient = {
      type: 'aep',
      namespace: 'email',
      userId: email,
      context: { orderId: 'P-1' },
    };
    return { profile, devices, otherApp, recipient };
  }

  const receivedAt = (endpoint: string) => push.received.filter((message) => message.endpoint === endpoint);
  const endpointsOf = async (profileId: string) =>
    (await h.store.profiles.get('prod', profileId))?.pushSubscriptions.map((s) => s.endpoint);

  it("pushes the rendered title and body to every device of the campaign's app", async () => {
    const { devices, otherApp, recipient } = await subscribedProfile();
    const version = await h.liveCampaign(pushCampaignFixture);
    const { executionId } = await h.enqueue(version, [recipient]);
    const [record] = await h.settled(executionId, 1);
    for (const device of devices) {
      const [message] = receivedAt(device.endpoint);
      expect(message).toMatchObject({
        payload: {
          title: 'Order P-1 shipped',
          body: 'Ada parcel is on its way',
          url: 'https://shop.example.com/',
          data: { orderId: 'P-1' },
        },
        ttl: 600,
        urgency: 'high',
        vapidSubject: 'mailto:ops@herald.example',
      });
    }
    expect(receivedAt(otherApp.endpoint)).toEqual([]);
    expect(record).toMatchObject({ status: 'sent', attempts: 1, address: devices[0]!.endpoint });
    const messageUrls = record!.providerMessageId!.split(',');
    expect(messageUrls).toHaveLength(2);
    for (const url of messageUrls) expect(url.startsWith(`${push.origin}/message/`)).toBe(true);
  });

  it('removes a subscription the push service says is gone and still delivers to the other device', async () => {
    const { profile, devices, otherApp, recipient } = await subscribedProfile();
    push.expire(devices[0]!.endpoint);
    const version = await h.liveCampaign(pushCampaignFixture);
    const { executionId } = await h.enqueue(version, [recipient]);
    const [record] = await h.settled(executionId, 1);
    expect(record).toMatchObject({ status: 'sent', attempts: 1 });
    expect(record!.providerMessageId!.split(',')).toHaveLength(1);
    expect(receivedAt(devices[0]!.endpoint)).toEqual([]);
    expect(receivedAt(devices[1]!.endpoint)).toHaveLength(1);
    expect(await endpointsOf(profile.id)).toEqual([devices[1]!.endpoint, otherApp.endpoint]);
  });

  it('skips and removes a malformed subscription without keeping the other device from its message', async () => {
    const { profile, devices, otherApp, recipient } = await subscribedProfile();
    const malformed = { ...devices[0]!, keys: { p256dh: 'not-a-key', auth: 'x' } };
    await h.store.profiles.upsert('prod', {
      identities: profile.identities,
      pushSubscriptions: [malformed, devices[1]!, otherApp],
    });
    const version = await h.liveCampaign(pushCampaignFixture);
    const { executionId } = await h.enqueue(version, [recipient]);
    const [record] = await h.settled(executionId, 1);
    expect(record).toMatchObject({ status: 'sent', attempts: 1 });
    expect(receivedAt(devices[1]!.endpoint)).toHaveLength(1);
    expect(await endpointsOf(profile.id)).toEqual([devices[1]!.endpoint, otherApp.endpoint]);
  });

  it('fails with subscription-gone once every device of the app is gone, then has no token for the app', async () => {
    const { profile, devices, otherApp, recipient } = await subscribedProfile();
    for (const device of devices) push.expire(device.endpoint);
    const version = await h.liveCampaign(pushCampaignFixture);
    const first = await h.enqueue(version, [recipient]);
    const [failed] = await h.settled(first.executionId, 1);
    expect(failed).toMatchObject({ status: 'failed', reason: 'subscription-gone', attempts: 1 });
    expect(await endpointsOf(profile.id)).toEqual([otherApp.endpoint]);
    const second = await h.enqueue(version, [recipient]);
    const [excluded] = await h.settled(second.executionId, 1);
    expect(excluded).toMatchObject({ status: 'excluded', reason: 'no-push-token-for-app' });
    for (const device of devices) expect(receivedAt(device.endpoint)).toEqual([]);
  });
});
