import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CampaignDefinition, MobilePushPlatform, PushToken, Recipient } from '@herald/contracts';
import { createTempDir, pushCampaignFixture, type StandinBehaviour, type TempDir } from '@herald/testing';
import { startApnsStandin, startFcmStandin } from '@herald/channels/test-support';
import { startWorkerHarness, type WorkerHarness } from './worker-harness.fixture';

/** What the test needs of a provider's stand-in, the same for FCM and APNs. */
interface MobileProvider {
  platform: MobilePushPlatform;
  /** The app tokens are registered for (APNs checks it as `apns-topic`). */
  appId: string;
  env: Record<string, string>;
  createToken(): string;
  unregister(token: string): void;
  /** Title and body of every push the provider accepted for the token. */
  receivedBy(token: string): Array<{ title?: string; body?: string }>;
  behave(behaviour: StandinBehaviour): void;
  close(): Promise<void>;
}

async function fcmProvider(): Promise<MobileProvider> {
  const fcm = await startFcmStandin();
  return {
    platform: 'fcm',
    appId: '1:1042:android:7b1e',
    env: { FCM_SERVICE_ACCOUNT_JSON: JSON.stringify(fcm.serviceAccount), FCM_API_URL: fcm.url },
    createToken: () => fcm.createToken(),
    unregister: (token) => fcm.unregister(token),
    receivedBy: (token) =>
      fcm.received.filter((message) => message.token === token).map((message) => message.notification ?? {}),
    behave: (behaviour) => fcm.behave(behaviour),
    close: () => fcm.close(),
  };
}

async function apnsProvider(dir: TempDir): Promise<MobileProvider> {
  const apns = await startApnsStandin();
  const caFile = path.join(dir.path, 'apns-ca.pem');
  writeFileSync(caFile, apns.ca);
  return {
    platform: 'apns',
    appId: apns.topic,
    env: {
      APNS_TEAM_ID: apns.teamId,
      APNS_KEY_ID: apns.keyId,
      APNS_PRIVATE_KEY: apns.privateKey,
      APNS_URL: apns.url,
      APNS_SANDBOX_URL: apns.sandboxUrl,
      APNS_CA_FILE: caFile,
    },
    createToken: () => apns.createDeviceToken(),
    unregister: (token) => apns.unregister(token),
    receivedBy: (token) =>
      apns.received
        .filter((push) => push.deviceToken === token)
        .map(
          (push) =>
            (push.payload as { aps?: { alert?: { title?: string; body?: string } } }).aps?.alert ?? {},
        ),
    behave: (behaviour) => apns.behave(behaviour),
    close: () => apns.close(),
  };
}

describe.each([
  ['FCM', (): Promise<MobileProvider> => fcmProvider()],
  ['APNs', (dir: TempDir): Promise<MobileProvider> => apnsProvider(dir)],
])('worker delivering mobile push through %s to its stand-in', (name, start) => {
  let dir: TempDir;
  let provider: MobileProvider;
  let h: WorkerHarness;
  let campaign: CampaignDefinition;
  let profileCount = 0;

  beforeAll(async () => {
    dir = createTempDir(`mobile-push-${name}`);
    provider = await start(dir);
    h = await startWorkerHarness(`providers-${name.toLowerCase()}`, {
      ...provider.env,
      PROVIDER_TIMEOUT_MS: '2000',
    });
    campaign = {
      ...pushCampaignFixture,
      channelConfig: { push: { ...pushCampaignFixture.channelConfig.push, appId: provider.appId } },
    };
  });
  afterEach(() => provider.behave({}));
  afterAll(async () => {
    await h?.stop();
    await provider?.close();
    dir?.remove();
  });

  /** A profile with two devices of the campaign's app and one of another app. */
  async function profileWithDevices() {
    const email = `mobile-${name}-${++profileCount}@example.com`;
    const devices: PushToken[] = [
      { appId: provider.appId, platform: provider.platform, token: provider.createToken() },
      { appId: provider.appId, platform: provider.platform, token: provider.createToken() },
    ];
    const otherApp: PushToken = {
      appId: 'com.example.other',
      platform: provider.platform,
      token: provider.createToken(),
    };
    const profile = await h.store.profiles.create('prod', {
      identities: [{ namespace: 'email', id: email }],
      attributes: { person: { name: { firstName: 'Ada' } } },
      pushTokens: [...devices, otherApp],
    });
    const recipient: Recipient = {
      type: 'aep',
      namespace: 'email',
      userId: email,
      context: { orderId: 'M-1' },
    };
    return { profile, devices, otherApp, recipient };
  }

  const tokensOf = async (profileId: string) =>
    (await h.store.profiles.get('prod', profileId))?.pushTokens.map((token) => token.token);

  it("sends the rendered notification to every device of the campaign's app, and no other", async () => {
    const { devices, otherApp, recipient } = await profileWithDevices();
    const { executionId } = await h.enqueue(await h.liveCampaign(campaign), [recipient]);
    const [record] = await h.settled(executionId, 1);
    expect(record).toMatchObject({ status: 'sent', attempts: 1, address: devices[0]!.token });
    expect(record!.providerMessageId!.split(',')).toHaveLength(2);
    for (const device of devices) {
      expect(provider.receivedBy(device.token)).toEqual([
        expect.objectContaining({ title: 'Order M-1 shipped', body: 'Ada parcel is on its way' }),
      ]);
    }
    expect(provider.receivedBy(otherApp.token)).toEqual([]);
  });

  it("sends to the one device named in the call's pushInfo", async () => {
    const { devices, recipient } = await profileWithDevices();
    const given = {
      ...recipient,
      channelData: {
        pushInfo: { appID: provider.appId, platform: provider.platform, token: devices[1]!.token },
      },
    };
    const { executionId } = await h.enqueue(await h.liveCampaign(campaign), [given]);
    const [record] = await h.settled(executionId, 1);
    expect(record).toMatchObject({ status: 'sent', address: devices[1]!.token });
    expect(provider.receivedBy(devices[0]!.token)).toEqual([]);
    expect(provider.receivedBy(devices[1]!.token)).toHaveLength(1);
  });

  it('removes a device token the provider says is unregistered, and still delivers to the other device', async () => {
    const { profile, devices, otherApp, recipient } = await profileWithDevices();
    provider.unregister(devices[0]!.token);
    const { executionId } = await h.enqueue(await h.liveCampaign(campaign), [recipient]);
    const [record] = await h.settled(executionId, 1);
    expect(record).toMatchObject({ status: 'sent', attempts: 1 });
    expect(provider.receivedBy(devices[1]!.token)).toHaveLength(1);
    expect(await tokensOf(profile.id)).toEqual([devices[1]!.token, otherApp.token]);
  });

  // APNs tokens are hex in any case; FCM tokens are case-sensitive, so the case exists for APNs
  // only: it is defined for APNs rather than reported as skipped for FCM.
  const apnsOnly = name === 'APNs' ? it : undefined;
  apnsOnly?.(
    'removes an APNs token stored in upper case when the call names it in lower case and it is unregistered',
    async () => {
      const { profile, devices, otherApp, recipient } = await profileWithDevices();
      const stored = devices[0]!.token.toUpperCase();
      await h.store.profiles.upsert('prod', {
        identities: [{ namespace: 'email', id: recipient.userId }],
        pushTokens: [{ ...devices[0]!, token: stored }, devices[1]!, otherApp],
      });
      provider.unregister(devices[0]!.token);
      const given = {
        ...recipient,
        channelData: {
          pushInfo: { appID: provider.appId, platform: provider.platform, token: stored.toLowerCase() },
        },
      };
      const { executionId } = await h.enqueue(await h.liveCampaign(campaign), [given]);
      const [record] = await h.settled(executionId, 1);
      expect(record).toMatchObject({ status: 'failed', reason: 'subscription-gone' });
      expect(await tokensOf(profile.id)).toEqual([devices[1]!.token, otherApp.token]);
    },
  );

  it('fails with subscription-gone once every device of the app is gone, then excludes no-push-token-for-app', async () => {
    const { profile, devices, otherApp, recipient } = await profileWithDevices();
    for (const device of devices) provider.unregister(device.token);
    const version = await h.liveCampaign(campaign);
    const first = await h.enqueue(version, [recipient]);
    const [failed] = await h.settled(first.executionId, 1);
    expect(failed).toMatchObject({ status: 'failed', reason: 'subscription-gone', attempts: 1 });
    expect(await tokensOf(profile.id)).toEqual([otherApp.token]);
    const second = await h.enqueue(version, [recipient]);
    const [excluded] = await h.settled(second.executionId, 1);
    expect(excluded).toMatchObject({ status: 'excluded', reason: 'no-push-token-for-app' });
  });

  it.each([
    ['a 503', { status: 503, times: 2 }, 3],
    ['a 429 with Retry-After', { status: 429, retryAfterSeconds: 1, times: 1 }, 2],
  ])('retries %s and delivers once', async (_, behaviour, attempts) => {
    const email = `retry-${name}-${++profileCount}@example.com`;
    const token: PushToken = {
      appId: provider.appId,
      platform: provider.platform,
      token: provider.createToken(),
    };
    const profile = await h.store.profiles.create('prod', {
      identities: [{ namespace: 'email', id: email }],
      pushTokens: [token],
    });
    provider.behave(behaviour);
    const { executionId } = await h.enqueue(await h.liveCampaign(campaign), [
      { type: 'aep', namespace: 'email', userId: email, context: { orderId: 'R-1' } },
    ]);
    const [record] = await h.settled(executionId, 1);
    expect(record).toMatchObject({ status: 'sent', attempts });
    expect(provider.receivedBy(token.token)).toHaveLength(1);
    expect(await tokensOf(profile.id)).toEqual([token.token]);
  });

  it('fails for good, without a retry, a rendering over the 4 KB the provider takes', async () => {
    const { devices, recipient } = await profileWithDevices();
    const huge = { ...recipient, context: { orderId: 'x'.repeat(5000) } };
    const { executionId } = await h.enqueue(await h.liveCampaign(campaign), [huge]);
    const [record] = await h.settled(executionId, 1);
    expect(record).toMatchObject({ status: 'failed', reason: 'push-payload-too-large', attempts: 1 });
    for (const device of devices) expect(provider.receivedBy(device.token)).toEqual([]);
  });
});

describe('worker writing mobile push to the outbox when neither FCM nor APNs is configured', () => {
  let h: WorkerHarness;
  beforeAll(async () => {
    h = await startWorkerHarness('mobile-push-outbox');
  });
  afterAll(() => h?.stop());

  it('writes one JSON file per device, the device named in each', async () => {
    const appId = 'com.example.shop';
    const devices: PushToken[] = [
      { appId, platform: 'fcm', token: 'fcm-outbox-token' },
      { appId, platform: 'apnsSandbox', token: 'cd'.repeat(32) },
    ];
    await h.store.profiles.create('prod', {
      identities: [{ namespace: 'email', id: 'outbox@example.com' }],
      pushTokens: devices,
    });
    const campaign = {
      ...pushCampaignFixture,
      channelConfig: { push: { ...pushCampaignFixture.channelConfig.push, appId } },
    };
    const { executionId, deliveryIds } = await h.enqueue(await h.liveCampaign(campaign), [
      { type: 'aep', namespace: 'email', userId: 'outbox@example.com', context: { orderId: 'O-1' } },
    ]);
    const [record] = await h.settled(executionId, 1);
    expect(record).toMatchObject({ status: 'sent', attempts: 1 });
    const written = [deliveryIds[0]!, `${deliveryIds[0]!}-s1`].map(
      (id) =>
        JSON.parse(readFileSync(path.join(h.dir.path, 'outbox', 'push', `${id}.json`), 'utf8')) as {
          device: PushToken;
          payload: { title: string };
        },
    );
    expect(written.map((message) => message.device)).toEqual(devices);
    expect(written[0]!.payload.title).toBe('Order O-1 shipped');
  });
});
