import path from 'node:path';
import type { Redis } from 'ioredis';
import { newId, type DeliveryStatus } from '@herald/contracts';
import { createLogger } from '@herald/logger';
import {
  connectRedis,
  createFeedbackWebhookQueue,
  DeliveryCounters,
  deliveryCountsFrom,
} from '@herald/queues';
import { openStore, type DeliveryKey, type DeliveryUpdate, type Store } from '@herald/store';
import { createTempDir, testRedisUrl, uniqueQueuePrefix, type TempDir } from '@herald/testing';
import { DeliveryRecorder } from '../src/delivery-recorder';

const SANDBOX = 'prod';

/** Which way a `record` promise went, read without waiting for it. */
type Settled = 'pending' | 'resolved' | 'rejected';

function track(promise: Promise<void>): { state: () => Settled; promise: Promise<void> } {
  let state: Settled = 'pending';
  promise.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  return { state: () => state, promise };
}

describe('DeliveryRecorder against the embedded store and Redis counters', () => {
  let dir: TempDir;
  let store: Store;
  let redis: Redis;
  let prefix: string;
  let counters: DeliveryCounters;
  /** What the recorders logged, one parsed line each: the one-by-one rewrite announces itself. */
  const logged: Array<{ msg?: string; count?: number }> = [];
  const logger = createLogger({
    level: 'error',
    service: 'delivery-recorder-test',
    destination: { write: (line: string) => void logged.push(JSON.parse(line) as (typeof logged)[number]) },
  });

  beforeAll(async () => {
    dir = createTempDir('delivery-recorder');
    prefix = uniqueQueuePrefix('delivery-recorder');
    store = await openStore({ url: path.join(dir.path, 'herald.sqlite'), deliveryRetentionDays: 30 });
    redis = await connectRedis(testRedisUrl(process.env), {
      role: 'producer',
      connectionName: 'test-delivery-recorder',
      logger,
    });
    counters = new DeliveryCounters(redis, prefix);
  });
  afterAll(async () => {
    redis?.disconnect();
    await store?.close();
    dir?.remove();
  });

  const keyOf = (executionId: string, campaignId: string, index: number): DeliveryKey => ({
    id: `${executionId}-r${index}`,
    sandbox: SANDBOX,
    executionId,
    campaignId,
    campaignVersion: 1,
    recipientIndex: index,
    channel: 'email',
  });
  const update = (status: DeliveryStatus, reason?: string): DeliveryUpdate => ({
    event: { status, at: new Date().toISOString(), ...(reason ? { reason } : {}) },
    attempts: 1,
  });

  it('commits the rest of a batch the store refuses for one entry, rejects only that entry, and counts only what it committed', async () => {
    const executionId = newId();
    const campaignId = newId();
    // A batch of exactly three: the third record starts the write, so all three share one transaction.
    const recorder = new DeliveryRecorder(store, counters, logger, { maxBatch: 3, maxDelayMs: 1000 });
    const [kept, fresh, broken] = [0, 1, 2].map((index) => keyOf(executionId, campaignId, index)) as [
      DeliveryKey,
      DeliveryKey,
      DeliveryKey,
    ];
    // Written earlier by a recorder of its own, so the batch below finds it already sent.
    await new DeliveryRecorder(store, counters, logger, { maxBatch: 1, maxDelayMs: 1 }).record(
      kept,
      update('sent'),
    );
    expect(await counters.execution(SANDBOX, executionId)).toMatchObject({ sent: 1 });

    const results = [
      // Already sent: a real write that changes no status, so no counter may move for it.
      track(recorder.record(kept, update('sent'))),
      track(recorder.record(fresh, update('sent'))),
      // A key without a recipient index, as a job whose data lacks it would give: SQLite refuses the
      // row (NOT NULL constraint), which makes the whole transaction fail.
      track(
        recorder.record(
          { ...broken, recipientIndex: undefined as unknown as number },
          update('failed', 'provider-rejected'),
        ),
      ),
    ];
    await recorder.drain();

    expect(logged).toContainEqual(
      expect.objectContaining({ msg: 'batch of delivery records refused; writing one by one', count: 3 }),
    );
    expect(results.map((result) => result.state())).toEqual(['resolved', 'resolved', 'rejected']);
    // Matched by its fields: better-sqlite3 builds its errors in the realm of the first test file that
    // loaded it, where this file's `Error` is not their prototype.
    await expect(results[2]!.promise).rejects.toMatchObject({
      code: 'SQLITE_CONSTRAINT_NOTNULL',
      message: 'NOT NULL constraint failed: deliveries.recipient_index',
    });
    expect((await store.deliveries.get(SANDBOX, kept.id))?.history.map((event) => event.status)).toEqual([
      'sent',
      'sent',
    ]);
    expect(await store.deliveries.get(SANDBOX, fresh.id)).toMatchObject({
      status: 'sent',
      recipientIndex: 1,
    });
    expect(await store.deliveries.get(SANDBOX, broken.id)).toBeNull();
    const counts = await counters.execution(SANDBOX, executionId);
    expect(counts).toMatchObject({ sent: 2, failed: 0, failedByReason: {} });
    expect(await counters.campaign(SANDBOX, campaignId)).toEqual(counts);
  });

  it('does not move the counters back when a re-run job writes sent, failed or excluded over provider feedback', async () => {
    const executionId = newId();
    const campaignId = newId();
    const keys = [0, 1, 2].map((index) => keyOf(executionId, campaignId, index)) as [
      DeliveryKey,
      DeliveryKey,
      DeliveryKey,
    ];
    const [delivered, opened, bounced] = keys;
    const firstRun = new DeliveryRecorder(store, counters, logger, { maxBatch: 3, maxDelayMs: 1000 });
    await Promise.all(keys.map((key) => firstRun.record(key, update('sent'))));
    // Feedback as the webhooks apply it: the store's transition, then the counters by it.
    const feedback: Array<[DeliveryKey, DeliveryStatus, string?]> = [
      [delivered, 'delivered'],
      [opened, 'opened'],
      [bounced, 'bounced', 'hard-bounce'],
    ];
    for (const [key, status, reason] of feedback) {
      const outcome = await store.deliveries.recordFeedback(SANDBOX, key.id, update(status, reason).event);
      if (!outcome.found || !outcome.changed) throw new Error(`feedback ${status} was not applied`);
      await counters.apply([
        {
          scope: { sandbox: SANDBOX, executionId, campaignId },
          from: outcome.previousStatus,
          to: outcome.status,
          ...(outcome.reason ? { toReason: outcome.reason } : {}),
        },
      ]);
    }
    const afterFeedback = await counters.execution(SANDBOX, executionId);
    expect(afterFeedback).toMatchObject({ sent: 3, delivered: 2, opened: 1, bounced: 1 });

    // The jobs stalled after their first write and run again: all three in one batch.
    const reRun = new DeliveryRecorder(store, counters, logger, { maxBatch: 3, maxDelayMs: 1000 });
    await Promise.all([
      reRun.record(delivered, update('sent')),
      reRun.record(opened, update('failed', 'provider-rejected')),
      reRun.record(bounced, update('excluded', 'suppressed')),
    ]);

    const counts = await counters.execution(SANDBOX, executionId);
    expect(counts).toEqual(afterFeedback);
    expect(counts).toMatchObject({ failed: 0, excluded: 0, failedByReason: {}, excludedByReason: {} });
    expect(await counters.campaign(SANDBOX, campaignId)).toEqual(counts);
    // The counters still agree with the records they summarise.
    expect(counts).toEqual(deliveryCountsFrom(await store.deliveries.countByExecution(SANDBOX, executionId)));
    const history = await store.deliveries.get(SANDBOX, opened.id);
    expect(history?.history.map((event) => event.status)).toEqual(['sent', 'opened', 'failed']);
  });

  it('counts each outcome once in the reports over time, and emits it to feedback webhooks only for campaigns that post them', async () => {
    const executionId = newId();
    const campaignId = newId();
    const feedback = createFeedbackWebhookQueue(redis, prefix);
    const key = (index: number) => keyOf(executionId, campaignId, index);
    const sent = { ...update('sent'), address: 'Ada@Example.COM' };
    const options = { maxBatch: 3, maxDelayMs: 1000, feedback };
    try {
      const writeAll = (recorder: DeliveryRecorder) =>
        Promise.all([
          recorder.record(key(0), sent, { locale: 'fr', webhooks: true }),
          recorder.record(key(1), update('excluded', 'no-marketing-consent'), { webhooks: true }),
          recorder.record(key(2), update('failed', 'provider-rejected'), { webhooks: false }),
        ]);
      await writeAll(new DeliveryRecorder(store, counters, logger, options));
      // A re-run after a crash writes the same outcomes again.
      await writeAll(new DeliveryRecorder(store, counters, logger, options));

      const scope = {
        sandbox: SANDBOX,
        executionId,
        from: new Date(Date.now() - 60_000).toISOString(),
        to: new Date(Date.now() + 60_000).toISOString(),
      };
      const byReason = await store.engagement.count(scope, { by: 'reason' });
      expect(
        byReason
          .map(({ group, kind, total }) => ({ group, kind, total }))
          .sort((a, b) => a.kind.localeCompare(b.kind)),
      ).toEqual([
        { group: 'no-marketing-consent', kind: 'excluded', total: 1 },
        { group: 'provider-rejected', kind: 'failed', total: 1 },
        { group: null, kind: 'sent', total: 1 },
      ]);
      const byDomain = await store.engagement.count(scope, { by: 'domain' });
      expect(byDomain.find((row) => row.kind === 'sent')?.group).toBe('example.com');
      const byLocale = await store.engagement.count(scope, { by: 'locale' });
      expect(byLocale.find((row) => row.kind === 'sent')?.group).toBe('fr');

      const jobs = await feedback.getJobs(['waiting', 'delayed', 'prioritized']);
      const emitted = jobs
        .map((job) => job.data)
        .filter((data) => 'event' in data && !('subscriptionId' in data));
      expect(
        emitted
          .map((data) => ('event' in data ? `${data.event.type} ${data.event.id}` : ''))
          .filter((line) => line.includes(executionId))
          .sort(),
      ).toEqual([`message.excluded ${key(1).id}:excluded`, `message.sent ${key(0).id}:sent`]);
    } finally {
      await feedback.obliterate({ force: true });
      await feedback.close();
    }
  });
});
