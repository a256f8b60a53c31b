import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES } from '@herald/contracts';
import type { SuppressionReason } from '@herald/store';
import { orderShippedCampaign, pushCampaignFixture, pushSubscriptionKeys } from '@herald/testing';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';
import { createLiveCampaign } from './trigger-setup.fixture';
import { RedisKeys } from '@herald/queues';

describe('a dry run against the suppression list', () => {
  let h: ApiHarness;
  let redis: Redis;
  let pushQueue: Queue;

  beforeAll(async () => {
    h = await startApiHarness('dry-run');
    redis = new Redis(h.config.redis.url, { maxRetriesPerRequest: null });
    pushQueue = new Queue(QUEUE_NAMES.push, { connection: redis, prefix: h.config.redis.queuePrefix });
  });
  afterAll(async () => {
    await pushQueue.obliterate({ force: true });
    await pushQueue.close();
    redis.disconnect();
    await h.close();
  });

  const suppress = async (channel: string, address: string, reason: SuppressionReason) =>
    h.api.post('/suppressions').send({ channel, address, reason }).expect(201);

  /** Everything a real call would have left behind: jobs, execution records, its requestId claim. */
  const expectNothingQueuedOrRecorded = async (queue: Queue, campaignId: string, requestId: string) => {
    const counts = await queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active');
    expect(Object.values(counts).reduce((sum, count) => sum + count, 0)).toBe(0);
    expect((await h.store.executions.listByCampaign('prod', campaignId)).items).toEqual([]);
    expect(await redis.exists(new RedisKeys(h.config.redis.queuePrefix).idempotency('prod', requestId))).toBe(
      0,
    );
  };

  it('reports a suppressed e-mail recipient excluded as suppressed while the others would be sent, and queues nothing', async () => {
    const campaignId = await createLiveCampaign(h, orderShippedCampaign());
    await suppress('email', 'Ada@Example.com', 'hard-bounce');
    await suppress('email', 'grace@example.com', 'manual');
    // Complaints stop marketing only: a transactional message still goes to this address.
    await suppress('email', 'complained@example.com', 'spam-complaint');
    const context = (orderId: string) => ({ orderId, total: 5 });

    const res = await h.api
      .post('/im/executions/unitary?dryRun=true')
      .send({
        requestId: 'dry-suppressed',
        campaignId,
        recipients: [
          { type: 'aep', userId: 'ada@example.com', namespace: 'email', context: context('A-1') },
          { type: 'aep', userId: 'bob@example.com', namespace: 'email', context: context('B-1') },
          {
            type: 'external',
            userId: 'crm-7',
            namespace: 'crmId',
            channelData: { emailAddress: 'grace@example.com' },
            context: context('G-1'),
          },
          {
            type: 'external',
            userId: 'crm-8',
            namespace: 'crmId',
            channelData: { emailAddress: 'complained@example.com' },
            context: context('C-1'),
          },
        ],
      })
      .expect(200);

    expect(res.body).toEqual({
      dryRun: true,
      campaignId,
      campaignVersion: 1,
      recipients: [
        {
          index: 0,
          outcome: 'excluded',
          reason: 'suppressed',
          address: 'ada@example.com',
          locale: 'en',
          wouldCreateProfile: true,
        },
        {
          index: 1,
          outcome: 'send',
          address: 'bob@example.com',
          locale: 'en',
          wouldCreateProfile: true,
          message: expect.objectContaining({ to: 'bob@example.com', text: 'Order B-1: 5 EUR' }),
        },
        { index: 2, outcome: 'excluded', reason: 'suppressed', address: 'grace@example.com', locale: 'en' },
        {
          index: 3,
          outcome: 'send',
          address: 'complained@example.com',
          locale: 'en',
          message: expect.objectContaining({ to: 'complained@example.com', text: 'Order C-1: 5 EUR' }),
        },
      ],
    });
    await expectNothingQueuedOrRecorded(h.emailQueue, campaignId, 'dry-suppressed');
    for (const userId of ['ada@example.com', 'bob@example.com']) {
      expect(await h.store.profiles.findByIdentity('prod', { namespace: 'email', id: userId })).toBeNull();
    }
  });

  it('reports the same exclusion on highthroughput, where every recipient is external', async () => {
    const campaignId = await createLiveCampaign(h, orderShippedCampaign());
    await suppress('email', 'ht-suppressed@example.com', 'hard-bounce');
    const external = (index: number, emailAddress: string) => ({
      type: 'external',
      userId: `crm-${index}`,
      namespace: 'crmId',
      channelData: { emailAddress },
      context: { orderId: `H-${index}`, total: 1 },
    });

    const res = await h.api
      .post('/im/executions/highthroughput?dryRun=true')
      .send({
        requestId: 'ht-dry-suppressed',
        campaignId,
        recipients: [external(0, 'ht-ok@example.com'), external(1, 'HT-Suppressed@example.com')],
      })
      .expect(200);

    expect(res.body.recipients).toEqual([
      expect.objectContaining({ index: 0, outcome: 'send', address: 'ht-ok@example.com' }),
      {
        index: 1,
        outcome: 'excluded',
        reason: 'suppressed',
        address: 'HT-Suppressed@example.com',
        locale: 'en',
      },
    ]);
    await expectNothingQueuedOrRecorded(h.emailQueue, campaignId, 'ht-dry-suppressed');
  });

  it('excludes a push recipient only when every subscription is suppressed, and never shows a suppressed one as sent', async () => {
    const campaignId = await createLiveCampaign(h, pushCampaignFixture);
    const subscription = (name: string) => ({
      endpoint: `https://push.example.com/${name}`,
      keys: pushSubscriptionKeys(),
      appId: 'shop-web',
    });
    const kept = subscription('kept');
    const blocked = subscription('blocked');
    const gone = [subscription('gone-1'), subscription('gone-2')];
    await h.store.profiles.upsert('prod', {
      identities: [{ namespace: 'email', id: 'half@example.com' }],
      pushSubscriptions: [blocked, kept],
    });
    await h.store.profiles.upsert('prod', {
      identities: [{ namespace: 'email', id: 'none@example.com' }],
      pushSubscriptions: gone,
    });
    for (const { endpoint } of [blocked, ...gone]) await suppress('push', endpoint, 'manual');

    const res = await h.api
      .post('/im/executions/unitary?dryRun=true')
      .send({
        requestId: 'dry-push',
        campaignId,
        recipients: [
          { type: 'aep', userId: 'half@example.com', namespace: 'email', context: { orderId: 'P-1' } },
          { type: 'aep', userId: 'none@example.com', namespace: 'email', context: { orderId: 'P-2' } },
        ],
      })
      .expect(200);

    expect(res.body.recipients).toEqual([
      {
        index: 0,
        outcome: 'send',
        address: kept.endpoint,
        locale: 'en',
        message: expect.objectContaining({
          channel: 'push',
          subscriptions: [expect.objectContaining({ endpoint: kept.endpoint })],
        }),
      },
      {
        index: 1,
        outcome: 'excluded',
        reason: 'suppressed',
        address: gone[0]?.endpoint,
        locale: 'en',
      },
    ]);
    await expectNothingQueuedOrRecorded(pushQueue, campaignId, 'dry-push');
  });
});
