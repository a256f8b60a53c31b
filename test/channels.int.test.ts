import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Delivery } from '@herald/contracts';
import type { Store } from '@herald/store';
import {
  pushCampaignFixture as pushCampaign,
  pushSubscriptionKeys as pushKeys,
  smsCampaignFixture as smsCampaign,
  waitFor,
  type TempDir,
} from '@herald/testing';
import {
  createLiveCampaign,
  postJson,
  startHeraldSystem,
  type HeraldSystem,
} from './support/herald-processes';

/** SMS and push, end to end: API process → the channel's queue → worker process → outbox. */
describe('SMS and push triggers, delivered to the outbox', () => {
  let dir: TempDir;
  let store: Store;
  let apiUrl: string;
  let system: HeraldSystem;

  beforeAll(async () => {
    system = await startHeraldSystem('channels');
    ({ dir, store, apiUrl } = system);
  });
  afterAll(async () => system?.stop());

  const outboxJson = (channel: string, deliveryId: string): unknown =>
    JSON.parse(readFileSync(path.join(dir.path, 'outbox', channel, `${deliveryId}.json`), 'utf8'));

  /** An external recipient that brings its push subscription along. */
  const deviceRecipient = (userId: string, endpoint: string, orderId: string) => ({
    type: 'external',
    namespace: 'deviceId',
    userId,
    channelData: { pushInfo: { endpoint, keys: pushKeys() } },
    context: { orderId },
  });

  const settled = (executionId: string, count: number): Promise<Delivery[]> =>
    waitFor(
      async () => {
        const page = await store.deliveries.listByExecution('prod', executionId);
        return page.items.length === count && page.items.every((d) => d.status !== 'queued')
          ? page.items
          : undefined;
      },
      { timeoutMs: 20_000, description: `${count} settled deliveries` },
    );

  it('sends an SMS to the number of each recipient, in its language, and records it', async () => {
    await store.profiles.create('prod', {
      identities: [{ namespace: 'phone', id: '+33612345678' }],
      attributes: { person: { name: { firstName: 'Marie' } } },
      preferredLanguage: 'fr',
    });
    // Excluded rather than refused: the worker's record of an unknown profile is what this checks.
    const campaignId = await createLiveCampaign(apiUrl, { ...smsCampaign, unknownProfiles: 'exclude' });
    const accepted = await postJson(`${apiUrl}/im/executions/unitary`, {
      requestId: 'sms-1',
      campaignId,
      recipients: [
        { type: 'aep', namespace: 'phone', userId: '+33612345678', context: { code: '111' } },
        {
          type: 'external',
          namespace: 'crmId',
          userId: 'crm-1',
          channelData: { mobilePhoneNumber: '+44 7700 900123' },
          context: { code: '222' },
        },
        { type: 'aep', namespace: 'phone', userId: '+33699999999', context: { code: '333' } },
      ],
    });
    expect(accepted.status).toBe(202);
    const executionId = String(accepted.body.executionId);
    const deliveries = await settled(executionId, 3);
    expect(deliveries.map((d) => [d.channel, d.status, d.address ?? d.reason])).toEqual([
      ['sms', 'sent', '+33612345678'],
      ['sms', 'sent', '+447700900123'],
      ['sms', 'excluded', 'profile-not-found'],
    ]);
    expect(deliveries[0]?.providerMessageId).toBe(`outbox:${executionId}-r0`);
    expect(outboxJson('sms', `${executionId}-r0`)).toEqual({
      channel: 'sms',
      deliveryId: `${executionId}-r0`,
      executionId,
      sandbox: 'prod',
      from: 'Shop',
      to: '+33612345678',
      body: 'Bonjour Marie, votre code : 111',
    });
    expect(outboxJson('sms', `${executionId}-r1`)).toMatchObject({
      to: '+447700900123',
      body: 'Hi there, your code is 222',
    });
  });

  it("pushes to every device of the profile registered for the campaign's app, keys left out of the outbox", async () => {
    const keys = pushKeys();
    await store.profiles.create('prod', {
      identities: [{ namespace: 'email', id: 'ada@example.com' }],
      attributes: { person: { name: { firstName: 'Ada' } } },
      pushSubscriptions: [
        { endpoint: 'https://push.example.com/laptop', keys, appId: 'shop-web' },
        { endpoint: 'https://push.example.com/other-app', keys, appId: 'blog' },
        { endpoint: 'https://push.example.com/phone', keys, appId: 'shop-web' },
      ],
    });
    const campaignId = await createLiveCampaign(apiUrl, pushCampaign);
    const accepted = await postJson(`${apiUrl}/im/executions/unitary`, {
      requestId: 'push-1',
      campaignId,
      recipients: [
        { type: 'aep', namespace: 'email', userId: 'ada@example.com', context: { orderId: 'A-1' } },
        deviceRecipient('d-1', 'https://push.example.com/given', 'E-2'),
      ],
    });
    expect(accepted.status).toBe(202);
    const executionId = String(accepted.body.executionId);
    const deliveries = await settled(executionId, 2);
    expect(deliveries.map((d) => [d.channel, d.status, d.address])).toEqual([
      ['push', 'sent', 'https://push.example.com/laptop'],
      ['push', 'sent', 'https://push.example.com/given'],
    ]);
    expect(deliveries[0]?.providerMessageId).toBe(`outbox:${executionId}-r0,outbox:${executionId}-r0-s1`);

    const laptop = outboxJson('push', `${executionId}-r0`);
    expect(laptop).toEqual({
      channel: 'push',
      deliveryId: `${executionId}-r0`,
      executionId,
      sandbox: 'prod',
      subscription: { endpoint: 'https://push.example.com/laptop' },
      payload: {
        title: 'Order A-1 shipped',
        body: 'Ada parcel is on its way',
        url: 'https://shop.example.com/',
        data: { orderId: 'A-1' },
      },
      ttlSeconds: 600,
      urgency: 'high',
    });
    expect(outboxJson('push', `${executionId}-r0-s1`)).toMatchObject({
      subscription: { endpoint: 'https://push.example.com/phone' },
    });
    expect(outboxJson('push', `${executionId}-r1`)).toMatchObject({
      subscription: { endpoint: 'https://push.example.com/given' },
      payload: { title: 'Order E-2 shipped', body: 'Your parcel is on its way' },
    });
    expect(
      readFileSync(path.join(dir.path, 'outbox', 'push', `${executionId}-r0.json`), 'utf8'),
    ).not.toContain(keys.auth);
  });

  it('refuses external recipients without an address for the channel, and queues nothing', async () => {
    const smsId = await createLiveCampaign(apiUrl, smsCampaign);
    const sms = await postJson(`${apiUrl}/im/executions/unitary`, {
      requestId: 'sms-refused',
      campaignId: smsId,
      recipients: [
        { type: 'external', namespace: 'crmId', userId: 'crm-1', context: { code: '1' } },
        { type: 'external', namespace: 'phone', userId: '+33612345678', context: { code: '2' } },
      ],
    });
    expect(sms.status).toBe(400);
    expect(sms.body.errors).toEqual([
      expect.objectContaining({
        recipientIndex: 0,
        path: '/recipients/0/channelData/mobilePhoneNumber',
        code: 'missing-address',
      }),
    ]);

    const pushId = await createLiveCampaign(apiUrl, pushCampaign);
    const push = await postJson(`${apiUrl}/im/executions/unitary`, {
      requestId: 'push-refused',
      campaignId: pushId,
      recipients: [
        { type: 'external', namespace: 'deviceId', userId: 'd-1', context: { orderId: '1' } },
        deviceRecipient('d-2', 'https://127.0.0.1/x', '2'),
      ],
    });
    expect(push.status).toBe(400);
    expect(push.body.errors).toEqual([
      expect.objectContaining({
        recipientIndex: 0,
        path: '/recipients/0/channelData/pushInfo',
        code: 'missing-address',
      }),
      expect.objectContaining({
        recipientIndex: 1,
        path: '/recipients/1/channelData/pushInfo/endpoint',
        code: 'private-address',
      }),
    ]);
  });
});
