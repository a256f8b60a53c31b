import { createECDH, randomBytes } from 'node:crypto';
import type { Recipient } from '@herald/contracts';
import { pushCampaignFixture } from '@herald/testing';
import { createAjv } from '../validation/ajv';
import { normalisedRecipient, recipientProblems } from './recipient-checks';

const anyContext = createAjv().compile({});
const options = { maxContextBytes: 10_000, allowPrivatePushEndpoints: false };
const APNS_TOKEN = 'ab'.repeat(32);

function browserSubscription(): { endpoint: string; keys: { p256dh: string; auth: string } } {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return {
    endpoint: 'https://fcm.googleapis.com/fcm/send/x',
    keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') },
  };
}

const problemsOf = (pushInfo: Record<string, unknown>, type: Recipient['type'] = 'aep') =>
  recipientProblems(
    { type, namespace: 'email', userId: 'ada@example.com', channelData: { pushInfo } },
    0,
    pushCampaignFixture,
    anyContext,
    options,
  );

describe("recipient checks of AJO's channelData.pushInfo", () => {
  it.each([
    { appID: 'com.example.shop', platform: 'apns', token: APNS_TOKEN },
    { appID: 'com.example.shop', platform: 'apnsSandbox', token: APNS_TOKEN.toUpperCase() },
    { appID: '1:1042:android:7b1e', platform: 'fcm', token: 'fcm:APA91bH-x_y' },
    { appID: 'shop-web', platform: 'web', token: JSON.stringify(browserSubscription()) },
    browserSubscription(),
  ])('accepts a well-formed device (%o), an external recipient included', (pushInfo) => {
    expect(problemsOf(pushInfo)).toEqual([]);
    expect(problemsOf(pushInfo, 'external')).toEqual([]);
  });

  it.each([
    ['an APNs token that is not 64 hex digits', { appID: 'a', platform: 'apns', token: 'abc' }, '/token'],
    ['an FCM token over 4 KB', { appID: 'a', platform: 'fcm', token: 'x'.repeat(4097) }, '/token'],
    ['an unknown platform', { appID: 'a', platform: 'pager', token: 'x' }, '/platform'],
    ['a missing appID', { platform: 'fcm', token: 'x' }, '/appID'],
    ['a web token that is not a subscription', { appID: 'a', platform: 'web', token: '{}' }, '/token'],
    ['an unknown field', { appID: 'a', platform: 'fcm', token: 'x', badge: 1 }, '/badge'],
  ])('refuses %s, naming the field', (_, pushInfo, field) => {
    expect(problemsOf(pushInfo)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ recipientIndex: 0, path: `/recipients/0/channelData/pushInfo${field}` }),
      ]),
    );
  });

  it('holds a web token to the rules of stored subscriptions (no private endpoints)', () => {
    const token = JSON.stringify({ ...browserSubscription(), endpoint: 'https://127.0.0.1/push' });
    expect(problemsOf({ appID: 'a', platform: 'web', token })).toEqual([
      expect.objectContaining({ path: '/recipients/0/channelData/pushInfo/token/endpoint' }),
    ]);
  });
});

describe('normalisedRecipient', () => {
  it("lower-cases an APNs token in AJO's pushInfo and leaves an FCM token as given", () => {
    const recipient = (platform: string, token: string): Recipient => ({
      type: 'external',
      namespace: 'Email',
      userId: 'ada@example.com',
      channelData: { pushInfo: { appID: 'com.example.shop', platform, token } },
    });
    expect(
      normalisedRecipient(recipient('apns', APNS_TOKEN.toUpperCase()), pushCampaignFixture, undefined),
    ).toEqual({ ...recipient('apns', APNS_TOKEN), namespace: 'email' });
    expect(normalisedRecipient(recipient('fcm', 'Fcm:APA91bH-X'), pushCampaignFixture, undefined)).toEqual({
      ...recipient('fcm', 'Fcm:APA91bH-X'),
      namespace: 'email',
    });
  });
});
