import { newId } from '@herald/contracts';
import type { DeliveryKey, Store } from '../ports';
import { deliveryKey, event, newSandbox, readAllPages } from './store.fixture';

/** What the delivery worker and the execution reports need: transitions, filters and counts. */
export function describeDeliveryTrackingContract(stores: () => Store): void {
  let store: Store;
  beforeAll(() => {
    store = stores();
  });

  describe('delivery tracking', () => {
    test('recordMany returns each record’s status before its write, in entry order', async () => {
      const sandbox = newSandbox();
      const executionId = newId();
      const [a, b, c] = [0, 1, 2].map((i) => deliveryKey(sandbox, executionId, i)) as [
        DeliveryKey,
        DeliveryKey,
        DeliveryKey,
      ];
      await store.deliveries.record(a, { event: event('queued') });
      await store.deliveries.record(b, { event: { ...event('excluded'), reason: 'suppressed' } });

      const transitions = await store.deliveries.recordMany([
        { key: c, update: { event: event('queued') } },
        { key: a, update: { event: event('sent') } },
        { key: b, update: { event: event('queued') } },
      ]);

      expect(transitions).toEqual([
        { previousStatus: null },
        { previousStatus: 'queued' },
        { previousStatus: 'excluded', previousReason: 'suppressed' },
      ]);
      expect(await store.deliveries.recordMany([])).toEqual([]);
    });

    test('recordMany applies repeated ids in order, each entry seeing the one before', async () => {
      const key = deliveryKey(newSandbox(), newId(), 0);

      const transitions = await store.deliveries.recordMany([
        { key, update: { event: event('queued') } },
        { key, update: { event: { status: 'failed', at: new Date().toISOString(), reason: 'smtp-550' } } },
        { key, update: { event: event('sent') } },
      ]);

      expect(transitions).toEqual([
        { previousStatus: null },
        { previousStatus: 'queued' },
        { previousStatus: 'failed', previousReason: 'smtp-550' },
      ]);
      const stored = await store.deliveries.get(key.sandbox, key.id);
      expect(stored?.status).toBe('sent');
      expect(stored?.history.map((e) => e.status)).toEqual(['queued', 'failed', 'sent']);
    });

    test('a replayed write reports the status it already set, so callers count it once', async () => {
      const key = deliveryKey(newSandbox(), newId(), 0);
      await store.deliveries.record(key, { event: event('queued') });
      const write = { key, update: { event: event('sent'), providerMessageId: 'm1' } };

      const [first] = await store.deliveries.recordMany([write]);
      const [replay] = await store.deliveries.recordMany([write]);

      expect(first).toEqual({ previousStatus: 'queued' });
      expect(replay).toEqual({ previousStatus: 'sent' });
    });

    test('lists only the deliveries with the given status, by recipient index across pages', async () => {
      const sandbox = newSandbox();
      const executionId = newId();
      const failed = { status: 'failed' as const, at: new Date().toISOString(), reason: 'timeout' };
      await store.deliveries.recordMany(
        [5, 0, 3, 1, 4, 2, 6].map((i) => ({
          key: deliveryKey(sandbox, executionId, i),
          update: { event: i % 2 === 0 ? failed : event('sent') },
        })),
      );
      await store.deliveries.record(deliveryKey(sandbox, newId(), 0), { event: failed });

      const { items, pages } = await readAllPages(
        (page) => store.deliveries.listByExecution(sandbox, executionId, page, { status: 'failed' }),
        2,
      );
      const all = await store.deliveries.listByExecution(sandbox, executionId, { limit: 50 }, {});

      expect(pages).toBe(2);
      expect(items.map((d) => d.recipientIndex)).toEqual([0, 2, 4, 6]);
      expect(items.every((d) => d.status === 'failed' && d.reason === 'timeout')).toBe(true);
      expect(all.items).toHaveLength(7);
      const none = await store.deliveries.listByExecution(sandbox, executionId, undefined, {
        status: 'bounced',
      });
      expect(none).toEqual({ items: [], nextCursor: null });
    });

    test('counts the deliveries of an execution by status and by exclusion and failure reason', async () => {
      const sandbox = newSandbox();
      const executionId = newId();
      const at = new Date().toISOString();
      const events = [
        { status: 'sent' as const, at },
        { status: 'sent' as const, at },
        { status: 'delivered' as const, at },
        { status: 'excluded' as const, at, reason: 'suppressed' },
        { status: 'excluded' as const, at, reason: 'suppressed' },
        { status: 'excluded' as const, at, reason: 'frequency-capped' },
        { status: 'failed' as const, at, reason: 'smtp-550' },
        { status: 'failed' as const, at },
        { status: 'bounced' as const, at, reason: 'hard-bounce' },
      ];
      await store.deliveries.recordMany(
        events.map((e, i) => ({ key: deliveryKey(sandbox, executionId, i), update: { event: e } })),
      );
      await store.deliveries.record(deliveryKey(sandbox, newId(), 0), { event: { status: 'sent', at } });

      const counts = await store.deliveries.countByExecution(sandbox, executionId);

      expect(counts).toEqual({
        byStatus: { sent: 2, delivered: 1, excluded: 3, failed: 2, bounced: 1 },
        excludedByReason: { suppressed: 2, 'frequency-capped': 1 },
        failedByReason: { 'smtp-550': 1 },
      });
    });

    test('counts nothing for an execution without deliveries', async () => {
      expect(await store.deliveries.countByExecution(newSandbox(), newId())).toEqual({
        byStatus: {},
        excludedByReason: {},
        failedByReason: {},
      });
    });
  });
}
