import { newId } from '@herald/contracts';
import type { Delivery, DeliveryEvent, DeliveryStatus } from '@herald/contracts';
import type { DeliveryKey, FeedbackOutcome, Store } from '../ports';
import { deliveryKey, event, newSandbox } from './fixtures';

type Found = Extract<FeedbackOutcome, { found: true }>;

function found(outcome: FeedbackOutcome): Found {
  if (!outcome.found) throw new Error('expected the delivery to be found');
  return outcome;
}

/** What provider webhooks need: feedback moves a record forward along the funnel, never back. */
export function describeDeliveryFeedbackContract(stores: () => Store): void {
  let store: Store;
  beforeAll(() => {
    store = stores();
  });

  /** A record whose history is `events`, in order; returns its key and the record as stored. */
  async function seed(
    events: readonly DeliveryEvent[],
    extra: { address?: string; key?: Partial<DeliveryKey> } = {},
  ): Promise<{ key: DeliveryKey; before: Delivery }> {
    const key = { ...deliveryKey(newSandbox(), newId(), 0), ...extra.key };
    await store.deliveries.recordMany(
      events.map((e) => ({
        key,
        update: { event: e, ...(extra.address !== undefined ? { address: extra.address } : {}) },
      })),
    );
    const before = await store.deliveries.get(key.sandbox, key.id);
    if (!before) throw new Error('the seeded delivery was not stored');
    return { key, before };
  }

  async function stored(key: DeliveryKey): Promise<Delivery> {
    const delivery = await store.deliveries.get(key.sandbox, key.id);
    if (!delivery) throw new Error(`delivery ${key.id} is gone`);
    return delivery;
  }

  describe('delivery feedback', () => {
    test('moves a sent record to delivered, appending the event and reporting the record', async () => {
      const { key, before } = await seed([event('queued'), event('sent')], { address: 'ada@example.com' });
      const delivered = event('delivered');

      const outcome = await store.deliveries.recordFeedback(key.sandbox, key.id, delivered);

      expect(outcome).toEqual({
        found: true,
        executionId: key.executionId,
        campaignId: 'campaign-1',
        channel: 'email',
        address: 'ada@example.com',
        previousStatus: 'sent',
        status: 'delivered',
        changed: true,
      });
      const after = await stored(key);
      expect(after).toEqual({
        ...before,
        status: 'delivered',
        history: [...before.history, delivered],
        updatedAt: after.updatedAt,
      });
      expect(after.updatedAt >= before.updatedAt).toBe(true);
    });

    test('follows delivered → opened → clicked, reporting no address when none was recorded', async () => {
      const { key } = await seed([event('sent')], { key: { channel: 'sms', campaignId: 'campaign-2' } });

      const outcomes = [];
      for (const status of ['delivered', 'opened', 'clicked'] as const) {
        outcomes.push(found(await store.deliveries.recordFeedback(key.sandbox, key.id, event(status))));
      }

      expect(outcomes.map((o) => [o.previousStatus, o.status, o.changed])).toEqual([
        ['sent', 'delivered', true],
        ['delivered', 'opened', true],
        ['opened', 'clicked', true],
      ]);
      expect(outcomes[0]).toMatchObject({
        executionId: key.executionId,
        campaignId: 'campaign-2',
        channel: 'sms',
      });
      expect(outcomes[0]).not.toHaveProperty('address');
      const after = await stored(key);
      expect(after.status).toBe('clicked');
      expect(after.history.map((e) => e.status)).toEqual(['sent', 'delivered', 'opened', 'clicked']);
    });

    test('an event ranked below or equal to the current status changes nothing', async () => {
      const { key, before } = await seed([event('sent'), event('opened')]);

      const older = await store.deliveries.recordFeedback(key.sandbox, key.id, event('delivered'));
      const replay = await store.deliveries.recordFeedback(key.sandbox, key.id, event('opened'));

      for (const outcome of [older, replay]) {
        expect(outcome).toMatchObject({ previousStatus: 'opened', status: 'opened', changed: false });
      }
      expect(await stored(key)).toEqual(before);
    });

    test('a bounce after delivery applies, with its reason', async () => {
      const { key, before } = await seed([event('sent'), event('delivered')]);
      const bounced = { ...event('bounced'), reason: 'hard-bounce', detail: '550 mailbox unknown' };

      const outcome = await store.deliveries.recordFeedback(key.sandbox, key.id, bounced);

      expect(outcome).toMatchObject({
        previousStatus: 'delivered',
        status: 'bounced',
        reason: 'hard-bounce',
        changed: true,
      });
      expect(outcome).not.toHaveProperty('previousReason');
      const after = await stored(key);
      expect(after).toMatchObject({ status: 'bounced', reason: 'hard-bounce' });
      expect(after.history).toEqual([...before.history, bounced]);
    });

    test('an open after a bounce applies and drops the bounce reason', async () => {
      const { key } = await seed([event('sent'), { ...event('bounced'), reason: 'hard-bounce' }]);

      const outcome = found(await store.deliveries.recordFeedback(key.sandbox, key.id, event('opened')));

      expect(outcome).toMatchObject({
        previousStatus: 'bounced',
        previousReason: 'hard-bounce',
        status: 'opened',
        changed: true,
      });
      expect(outcome).not.toHaveProperty('reason');
      const after = await stored(key);
      expect(after.status).toBe('opened');
      expect(after.reason).toBeUndefined();
    });

    test.each<[DeliveryStatus, string | undefined]>([
      ['queued', undefined],
      ['failed', 'smtp-550'],
      ['excluded', 'suppressed'],
    ])('leaves a %s record alone', async (status, reason) => {
      const { key, before } = await seed([
        event('queued'),
        { ...event(status), ...(reason !== undefined ? { reason } : {}) },
      ]);

      for (const feedback of ['delivered', 'bounced', 'opened', 'clicked'] as const) {
        const outcome = found(await store.deliveries.recordFeedback(key.sandbox, key.id, event(feedback)));
        expect(outcome).toMatchObject({ previousStatus: status, status, changed: false });
        expect(outcome.reason).toBe(reason);
        expect(outcome.previousReason).toBe(reason);
      }
      expect(await stored(key)).toEqual(before);
    });

    test('an unknown delivery is not found and nothing is created', async () => {
      const { key, before } = await seed([event('sent')]);
      const otherSandbox = newSandbox();
      const unknownId = `${key.id}-unknown`;

      expect(await store.deliveries.recordFeedback(key.sandbox, unknownId, event('delivered'))).toEqual({
        found: false,
      });
      expect(await store.deliveries.recordFeedback(otherSandbox, key.id, event('delivered'))).toEqual({
        found: false,
      });
      expect(await store.deliveries.get(key.sandbox, unknownId)).toBeNull();
      expect(await store.deliveries.get(otherSandbox, key.id)).toBeNull();
      expect(await stored(key)).toEqual(before);
    });

    test('refuses a status that is not feedback and writes nothing', async () => {
      const { key, before } = await seed([event('sent')]);

      for (const status of ['sent', 'queued', 'failed', 'excluded'] as const) {
        await expect(store.deliveries.recordFeedback(key.sandbox, key.id, event(status))).rejects.toThrow(
          Error,
        );
      }
      expect(await stored(key)).toEqual(before);
    });

    test('concurrent feedback for one record applies each transition once', async () => {
      const seeded = await Promise.all([0, 1, 2, 3, 4].map(() => seed([event('sent'), event('delivered')])));

      await Promise.all(
        seeded.map(async ({ key }) => {
          const outcomes = (
            await Promise.all(
              (['opened', 'clicked'] as const).map((status) =>
                store.deliveries.recordFeedback(key.sandbox, key.id, event(status)),
              ),
            )
          ).map(found);

          const after = await stored(key);
          expect(after.status).toBe('clicked');
          const changed = outcomes.filter((o) => o.changed);
          expect(new Set(changed.map((o) => o.previousStatus)).size).toBe(changed.length);
          expect(changed.map((o) => o.status)).toContain('clicked');
          // The history after the seed is exactly the chain of the changes the callers were told of.
          const statuses = after.history.map((e) => e.status).slice(1);
          const steps = statuses.slice(1).map((status, i) => `${statuses[i]}→${status}`);
          expect(steps.sort()).toEqual(changed.map((o) => `${o.previousStatus}→${o.status}`).sort());
          for (const refused of outcomes.filter((o) => !o.changed)) {
            expect(refused).toMatchObject({ previousStatus: 'clicked', status: 'clicked' });
          }
        }),
      );
    });
  });
}
