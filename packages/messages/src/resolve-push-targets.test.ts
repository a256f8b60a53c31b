import type { Profile, PushToken, Recipient } from '@herald/contracts';
import { givenPushTarget, resolvePushTargets } from './resolve-push-targets';

const base: Recipient = { type: 'aep', userId: 'ECID-123', namespace: 'ECID' };
const keys = { p256dh: 'p', auth: 'a' };
const profile = (fields: Partial<Profile>): Profile =>
  ({
    identities: [],
    attributes: {},
    pushSubscriptions: [],
    pushTokens: [],
    ...fields,
  }) as Partial<Profile> as Profile;
const apnsToken = 'ab'.repeat(32);
const iphone: PushToken = { appId: 'com.shop', platform: 'apns', token: apnsToken };
const android: PushToken = { appId: 'com.shop', platform: 'fcm', token: 'fcm-token-1' };
const otherApp: PushToken = { appId: 'com.blog', platform: 'fcm', token: 'fcm-token-2' };
const withPushInfo = (pushInfo: Record<string, unknown>): Recipient => ({
  ...base,
  channelData: { pushInfo },
});

describe('resolvePushTargets', () => {
  it('takes the browser subscription given in channelData.pushInfo first', () => {
    const recipient = withPushInfo({ endpoint: 'https://push.example/given', keys });
    const stored = profile({ pushSubscriptions: [{ endpoint: 'https://push.example/stored', keys }] });
    expect(resolvePushTargets(recipient, stored, undefined)).toEqual({
      kind: 'targets',
      targets: { subscriptions: [{ endpoint: 'https://push.example/given', keys }], devices: [] },
    });
  });

  it("sends to the one device AJO's pushInfo names, not to the profile's others", () => {
    const recipient = withPushInfo({ appID: 'com.shop', platform: 'apns', token: apnsToken });
    expect(resolvePushTargets(recipient, profile({ pushTokens: [iphone, android] }), 'com.shop')).toEqual({
      kind: 'targets',
      targets: { subscriptions: [], devices: [iphone] },
    });
  });

  it("without pushInfo, uses every device token and subscription of the campaign's app", () => {
    const stored = profile({
      pushSubscriptions: [
        { endpoint: 'https://push.example/shop', keys, appId: 'com.shop' },
        { endpoint: 'https://push.example/other', keys, appId: 'other' },
      ],
      pushTokens: [iphone, otherApp, android],
    });
    expect(resolvePushTargets(base, stored, 'com.shop')).toEqual({
      kind: 'targets',
      targets: {
        subscriptions: [{ endpoint: 'https://push.example/shop', keys }],
        devices: [iphone, android],
      },
    });
  });

  it('without an app on the campaign, uses the web subscriptions only', () => {
    const stored = profile({
      pushSubscriptions: [{ endpoint: 'https://push.example/a', keys }],
      pushTokens: [iphone],
    });
    expect(resolvePushTargets(base, stored, undefined)).toEqual({
      kind: 'targets',
      targets: { subscriptions: [{ endpoint: 'https://push.example/a', keys }], devices: [] },
    });
    expect(resolvePushTargets(base, profile({ pushTokens: [iphone] }), undefined)).toEqual({
      kind: 'excluded',
      reason: 'no-address',
    });
  });

  it('excludes with no-push-token-for-app when nothing is registered for the app', () => {
    expect(resolvePushTargets(base, profile({ pushTokens: [otherApp] }), 'com.shop')).toEqual({
      kind: 'excluded',
      reason: 'no-push-token-for-app',
    });
    const forAnotherApp = withPushInfo({ appID: 'com.blog', platform: 'fcm', token: 'fcm-token-2' });
    expect(resolvePushTargets(forAnotherApp, null, 'com.shop')).toEqual({
      kind: 'excluded',
      reason: 'no-push-token-for-app',
    });
  });

  it('excludes with push-platform-mismatch a device on a platform the profile never registered the app on', () => {
    const browser = withPushInfo({
      appID: 'com.shop',
      platform: 'web',
      token: JSON.stringify({ endpoint: 'https://push.example/b', keys }),
    });
    expect(resolvePushTargets(browser, profile({ pushTokens: [iphone] }), 'com.shop')).toEqual({
      kind: 'excluded',
      reason: 'push-platform-mismatch',
    });
    const sandboxDevice = withPushInfo({ appID: 'com.shop', platform: 'apnsSandbox', token: apnsToken });
    expect(resolvePushTargets(sandboxDevice, profile({ pushTokens: [iphone] }), 'com.shop')).toMatchObject({
      kind: 'excluded',
      reason: 'push-platform-mismatch',
    });
    // Nothing known of the app (an external recipient): the given device is trusted.
    expect(resolvePushTargets(sandboxDevice, null, 'com.shop')).toMatchObject({ kind: 'targets' });
  });
});

describe('givenPushTarget', () => {
  it('reads a web token as the browser subscription in JSON', () => {
    const token = JSON.stringify({ endpoint: 'https://push.example/w', keys });
    expect(givenPushTarget({ appID: 'site', platform: 'web', token })).toEqual({
      platform: 'web',
      appId: 'site',
      subscription: { endpoint: 'https://push.example/w', keys },
    });
  });
  it('finds nothing in a pushInfo of neither shape', () => {
    expect(givenPushTarget({ token: 'x' })).toBeUndefined();
    expect(givenPushTarget({ appID: 'a', platform: 'pager', token: 'x' })).toBeUndefined();
    expect(givenPushTarget({ appID: 'a', platform: 'web', token: 'not json' })).toBeUndefined();
  });
});
