import { newId } from '@herald/contracts';
import type { Delivery, DeliveryEvent, DeliveryStatus } from '@herald/contracts';
import type { DeliveryKey, FeedbackOutcome, Store } from '../ports';
import { deliveryKey, event, newSandbox } from './store.fixture';

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

    test("keeps a delivered, opened, bounced or clicked record's status when the worker writes sent, excluded or failed again, and appends the event to its history", async () => {
      // As a job re-run after a crash finds them: sent by the first run, then moved by feedback.
      async function fedBack(...feedback: DeliveryEvent[]): Promise<{ key: DeliveryKey; before: Delivery }> {
        const { key } = await seed([event('queued'), event('sent')], { address: 'ada@example.com' });
        for (const e of feedback) found(await store.deliveries.recordFeedback(key.sandbox, key.id, e));
        return { key, before: await stored(key) };
      }
      const delivered = await fedBack(event('delivered'));
      const bounced = await fedBack(event('delivered'), { ...event('bounced'), reason: 'hard-bounce' });
      const opened = await fedBack(event('opened'));
      const clicked = await fedBack(event('delivered'), event('clicked'));
      const sentAgain = event('sent');
      const failed = { ...event('failed'), reason: 'smtp-550' };
      const excluded = { ...event('excluded'), reason: 'suppressed' };

      const transitions = await store.deliveries.recordMany([
        { key: delivered.key, update: { event: sentAgain, attempts: 2, providerMessageId: 'm-2' } },
        { key: bounced.key, update: { event: failed, attempts: 3, lastError: 'provider said 550' } },
        { key: opened.key, update: { event: excluded } },
        { key: opened.key, update: { event: sentAgain } },
      ]);
      const returned = await store.deliveries.record(clicked.key, { event: failed, lastError: 'timeout' });

      expect(transitions).toEqual([
        { previousStatus: 'delivered', statusKept: true },
        { previousStatus: 'bounced', previousReason: 'hard-bounce', statusKept: true },
        { previousStatus: 'opened', statusKept: true },
        { previousStatus: 'opened', statusKept: true },
      ]);
      const after = await Promise.all([delivered, bounced, opened, clicked].map(({ key }) => stored(key)));
      expect(after).toEqual([
        {
          ...delivered.before,
          attempts: 2,
          providerMessageId: 'm-2',
          history: [...delivered.before.history, sentAgain],
          updatedAt: after[0]?.updatedAt,
        },
        {
          ...bounced.before,
          attempts: 3,
          lastError: 'provider said 550',
          history: [...bounced.before.history, failed],
          updatedAt: after[1]?.updatedAt,
        },
        {
          ...opened.before,
          history: [...opened.before.history, excluded, sentAgain],
          updatedAt: after[2]?.updatedAt,
        },
        {
          ...clicked.before,
          lastError: 'timeout',
          history: [...clicked.before.history, failed],
          updatedAt: after[3]?.updatedAt,
        },
      ]);
      expect(after.map((d) => [d.status, d.reason])).toEqual([
        ['delivered', undefined],
        ['bounced', 'hard-bounce'],
        ['opened', undefined],
        ['clicked', undefined],
      ]);
      expect(returned).toEqual(after[3]);
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
