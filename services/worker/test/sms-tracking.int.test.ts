import path from 'node:path';
import { smsCampaignFixture, createTempDir, type TempDir } from '@herald/testing';
import { TransientDeliveryError } from '@herald/errors';
import { openStore, type DeliveryKey, type Store } from '@herald/store';
import { TrackingTokens } from '@herald/tracking';
import { SmsTracking } from '../src/sms-tracking';

const tracker = {
  tokens: new TrackingTokens(['sms-tracking-test-key-0123456789abcdef']),
  baseUrl: 'https://t.example.com',
};
const key: DeliveryKey = {
  id: 'e-1-r0',
  sandbox: 'prod',
  executionId: 'e-1',
  campaignId: 'c-1',
  campaignVersion: 1,
  recipientIndex: 0,
  channel: 'sms',
};
const message = {
  channel: 'sms' as const,
  from: 'Shop',
  to: '+447700900123',
  body: 'Sale: https://shop.example.com/sale',
};
const tracked = {
  ...smsCampaignFixture,
  channelConfig: { sms: { sender: 'Shop', tracking: { clicks: true } } },
};

describe('SMS click tracking in the worker', () => {
  let dir: TempDir;
  let store: Store;
  beforeAll(async () => {
    dir = createTempDir('sms-tracking');
    store = await openStore({ url: path.join(dir.path, 'herald.sqlite') });
  });
  afterAll(async () => {
    await store.close();
    dir.remove();
  });

  it('shortens only when the campaign asks for click tracking and a tracker is configured', () => {
    expect(
      new SmsTracking(tracker, store.shortLinks).prepare(message, smsCampaignFixture, key, 'en'),
    ).toEqual({
      message,
      links: [],
    });
    expect(new SmsTracking(undefined, store.shortLinks).prepare(message, tracked, key, 'en')).toEqual({
      message,
      links: [],
    });
    const { message: sent, links } = new SmsTracking(tracker, store.shortLinks).prepare(
      message,
      tracked,
      key,
      'en',
    );
    expect(sent.body).toMatch(/^Sale: https:\/\/t\.example\.com\/s\/[0-9A-Za-z]{10}$/);
    expect(links).toEqual([
      {
        code: sent.body.slice(-10),
        sandbox: 'prod',
        token: expect.any(String),
        expiresAt: expect.any(String),
      },
    ]);
  });

  it('keeps the links, and retries the delivery (transient) rather than reuse a code another link holds', async () => {
    const sms = new SmsTracking(tracker, store.shortLinks);
    const { links } = sms.prepare(message, tracked, key, 'en');
    await sms.keep(links);
    expect(await store.shortLinks.get(links[0]!.code)).toEqual(links[0]);

    const again = sms
      .prepare(message, tracked, key, 'en')
      .links.map((link) => ({ ...link, code: links[0]!.code }));
    const refused = await sms.keep(again).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TransientDeliveryError);
    expect(refused).toMatchObject({ code: 'short-link-code-taken' });
    expect(await store.shortLinks.get(links[0]!.code)).toEqual(links[0]);
  });
});
