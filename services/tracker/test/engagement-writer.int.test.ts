import path from 'node:path';
import { Redis } from 'ioredis';
import { newId } from '@herald/contracts';
import { createLogger } from '@herald/logger';
import { createFeedbackWebhookQueue, FeedbackEmitter } from '@herald/queues';
import { openStore, type EngagementEvent, type Store } from '@herald/store';
import { createTempDir, testRedisUrl, uniqueQueuePrefix, type TempDir } from '@herald/testing';
import { EngagementWriter } from '../src/engagement-writer';

describe('the tracker’s engagement writer', () => {
  let dir: TempDir;
  let store: Store;
  let redis: Redis;
  const logger = createLogger({ level: 'silent', service: 'engagement-writer-test' });

  beforeAll(async () => {
    dir = createTempDir('engagement-writer');
    store = await openStore({ url: path.join(dir.path, 'herald.sqlite') });
    redis = new Redis(testRedisUrl(process.env), { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    redis.disconnect();
    await store.close();
    dir.remove();
  });

  it('stores the hits, then emits them to feedback webhooks only for sandboxes with a subscription', async () => {
    const queue = createFeedbackWebhookQueue(redis, uniqueQueuePrefix('engagement-writer'));
    const emitter = new FeedbackEmitter(queue, async (sandbox) => sandbox === 'listened');
    const writer = new EngagementWriter(store.engagement, logger, undefined, emitter);
    const hit = (sandbox: string): EngagementEvent => ({
      key: newId(),
      sandbox,
      campaignId: newId(),
      executionId: newId(),
      deliveryId: newId(),
      channel: 'email',
      kind: 'clicked',
      at: new Date().toISOString(),
      linkId: '0',
      label: 'hero',
      machine: false,
    });
    const [listened, quiet] = [hit('listened'), hit('quiet')];
    try {
      await Promise.all([writer.record(listened), writer.record(quiet)]);
      await writer.close();
      const scope = (event: EngagementEvent) => ({
        sandbox: event.sandbox,
        executionId: event.executionId,
        from: new Date(Date.now() - 60_000).toISOString(),
        to: new Date(Date.now() + 60_000).toISOString(),
      });
      expect(await store.engagement.count(scope(listened), { by: 'link' })).toHaveLength(1);
      expect(await store.engagement.count(scope(quiet), { by: 'link' })).toHaveLength(1);
      const emitted = (await queue.getJobs(['waiting', 'prioritized'])).map((job) => job.data);
      expect(emitted).toEqual([
        {
          event: expect.objectContaining({
            id: listened.key,
            type: 'message.clicked',
            sandbox: 'listened',
            linkId: '0',
            label: 'hero',
            machine: false,
          }) as unknown,
        },
      ]);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
