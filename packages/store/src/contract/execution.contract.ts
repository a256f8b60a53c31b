import { newId } from '@herald/contracts';
import type { DeliveryKey, Store } from '../ports';
import { deliveryKey, event, ISO_TIMESTAMP, newExecution, newSandbox, readAllPages } from './store.fixture';

/** Executions (unitary and audience) and delivery records with their status history. */
export function describeExecutionContract(stores: () => Store): void {
  let store: Store;
  beforeAll(() => {
    store = stores();
  });

  describe('executions', () => {
    test('creates an execution as accepted and reads it back', async () => {
      const input = newExecution(newSandbox(), newId(), { createdBy: 'key-1' });

      const execution = await store.executions.create(input);

      expect(execution).toMatchObject({ ...input, status: 'accepted' });
      expect(execution.error).toBeUndefined();
      expect(execution.createdAt).toMatch(ISO_TIMESTAMP);
      expect(await store.executions.get(input.sandbox, input.id)).toEqual(execution);
      expect(await store.executions.get(newSandbox(), input.id)).toBeNull();
    });

    test('creates an execution directly as queued when asked', async () => {
      const input = newExecution(newSandbox(), newId(), { status: 'queued' });

      const execution = await store.executions.create(input);

      expect(execution.status).toBe('queued');
      expect(await store.executions.get(input.sandbox, input.id)).toMatchObject({ status: 'queued' });
    });

    test("keeps an execution's context apart: getContext gives it back, get does not carry it", async () => {
      const context = { offer: { code: 'SPRING', 'a.b': 1, $price: 9.5 }, tags: ['x', null] };
      const input = newExecution(newSandbox(), newId(), { audienceId: 'aud-1', context });

      const execution = await store.executions.create(input);

      expect(execution).not.toHaveProperty('context');
      expect(await store.executions.get(input.sandbox, input.id)).toEqual(execution);
      expect(await store.executions.getContext(input.sandbox, input.id)).toEqual(context);
      expect(await store.executions.getContext(newSandbox(), input.id)).toBeNull();
      const without = newExecution(input.sandbox, newId());
      await store.executions.create(without);
      expect(await store.executions.getContext(input.sandbox, without.id)).toBeNull();
    });

    test('sets the status of an execution, with the error of a failure', async () => {
      const input = newExecution(newSandbox(), newId());
      await store.executions.create(input);

      await store.executions.setStatus(input.sandbox, input.id, 'queued');
      expect(await store.executions.get(input.sandbox, input.id)).toMatchObject({ status: 'queued' });

      await store.executions.setStatus(input.sandbox, input.id, 'failed', 'redis unreachable');
      expect(await store.executions.get(input.sandbox, input.id)).toMatchObject({
        status: 'failed',
        error: 'redis unreachable',
      });
    });

    test('lists the executions of one campaign in creation order across pages', async () => {
      const sandbox = newSandbox();
      const campaignId = newId();
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        const { id } = await store.executions.create(newExecution(sandbox, campaignId));
        ids.push(id);
        await store.executions.create(newExecution(sandbox, newId()));
      }

      const { items, pages } = await readAllPages(
        (page) => store.executions.listByCampaign(sandbox, campaignId, page),
        2,
      );

      expect(pages).toBe(3);
      expect(items.map((e) => e.id)).toEqual(ids);
    });
  });

  describe('deliveries', () => {
    test('creates a delivery on its first event and appends later events to its history', async () => {
      const key = deliveryKey(newSandbox(), newId(), 0);
      const queued = { status: 'queued' as const, at: '2025-01-01T00:00:00.000Z' };
      const sent = { status: 'sent' as const, at: '2025-01-01T00:00:01.000Z' };

      const first = await store.deliveries.record(key, { event: queued, address: 'ada@example.com' });
      const second = await store.deliveries.record(key, {
        event: sent,
        providerMessageId: 'msg-1',
        attempts: 1,
      });

      expect(first).toMatchObject({ ...key, status: 'queued', attempts: 0, history: [queued] });
      expect(second).toMatchObject({
        ...key,
        status: 'sent',
        address: 'ada@example.com',
        providerMessageId: 'msg-1',
        attempts: 1,
        history: [queued, sent],
      });
      expect(await store.deliveries.get(key.sandbox, key.id)).toEqual(second);
    });

    test('takes status and reason from the last event and keeps earlier fields', async () => {
      const key = deliveryKey(newSandbox(), newId(), 0);
      await store.deliveries.record(key, { event: event('queued') });
      await store.deliveries.record(key, {
        event: event('sent'),
        providerMessageId: 'msg-1',
        profileId: 'p-1',
        attempts: 2,
      });

      const bounced = await store.deliveries.record(key, {
        event: { ...event('bounced'), reason: 'hard-bounce', detail: '550 no such user' },
        lastError: '550 no such user',
      });

      expect(bounced).toMatchObject({
        status: 'bounced',
        reason: 'hard-bounce',
        providerMessageId: 'msg-1',
        profileId: 'p-1',
        attempts: 2,
        lastError: '550 no such user',
      });
      expect(bounced.history.map((e) => e.status)).toEqual(['queued', 'sent', 'bounced']);
      expect(bounced.history[2]).toMatchObject({ reason: 'hard-bounce', detail: '550 no such user' });

      const delivered = await store.deliveries.record(key, { event: event('delivered') });
      expect(delivered.status).toBe('delivered');
      expect(delivered.reason).toBeUndefined();
    });

    test('records many deliveries in one call, creating and appending', async () => {
      const sandbox = newSandbox();
      const executionId = newId();
      const keys = [0, 1, 2].map((i) => deliveryKey(sandbox, executionId, i));

      await store.deliveries.recordMany(keys.map((key) => ({ key, update: { event: event('queued') } })));
      await store.deliveries.recordMany([
        { key: keys[0] as DeliveryKey, update: { event: event('sent'), providerMessageId: 'm0' } },
        { key: keys[1] as DeliveryKey, update: { event: { ...event('excluded'), reason: 'suppressed' } } },
      ]);
      await store.deliveries.recordMany([]);

      const stored = await Promise.all(keys.map((key) => store.deliveries.get(sandbox, key.id)));
      expect(stored.map((d) => d?.status)).toEqual(['sent', 'excluded', 'queued']);
      expect(stored.map((d) => d?.history.length)).toEqual([2, 2, 1]);
      expect(stored[0]?.providerMessageId).toBe('m0');
      expect(stored[1]?.reason).toBe('suppressed');
    });

    test('lists the deliveries of an execution by recipient index across pages', async () => {
      const sandbox = newSandbox();
      const executionId = newId();
      const order = [4, 0, 6, 2, 5, 1, 3];
      await store.deliveries.recordMany(
        order.map((i) => ({
          key: deliveryKey(sandbox, executionId, i),
          update: { event: event('queued') },
        })),
      );
      await store.deliveries.record(deliveryKey(sandbox, newId(), 0), { event: event('queued') });

      const { items, pages } = await readAllPages(
        (page) => store.deliveries.listByExecution(sandbox, executionId, page),
        3,
      );

      expect(pages).toBe(3);
      expect(items.map((d) => d.recipientIndex)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(items.every((d) => d.executionId === executionId)).toBe(true);
    });

    test('returns null for a delivery that does not exist or is in another sandbox', async () => {
      const key = deliveryKey(newSandbox(), newId(), 0);
      await store.deliveries.record(key, { event: event('queued') });
      expect(await store.deliveries.get(key.sandbox, newId())).toBeNull();
      expect(await store.deliveries.get(newSandbox(), key.id)).toBeNull();
    });
  });

  describe('audience executions', () => {
    test('starts an audience execution with no profile targeted and no cursor', async () => {
      const input = newExecution(newSandbox(), newId(), { kind: 'audience', audienceId: 'aud-1' });

      const execution = await store.executions.create(input);

      expect(execution).toMatchObject({ audienceId: 'aud-1', targetedProfileCount: 0, status: 'accepted' });
      expect(execution.fanOutCursor).toBeUndefined();
      expect(await store.executions.get(input.sandbox, input.id)).toEqual(execution);
    });

    test('records fan-out progress and clears the cursor after the last page', async () => {
      const input = newExecution(newSandbox(), newId(), { kind: 'audience', audienceId: 'aud-1' });
      await store.executions.create(input);

      await store.executions.recordFanOutProgress(input.sandbox, input.id, {
        cursor: 'page-2',
        targetedProfileCount: 500,
      });
      expect(await store.executions.get(input.sandbox, input.id)).toMatchObject({
        fanOutCursor: 'page-2',
        targetedProfileCount: 500,
      });

      await store.executions.recordFanOutProgress(input.sandbox, input.id, {
        cursor: null,
        targetedProfileCount: 742,
      });
      const done = await store.executions.get(input.sandbox, input.id);
      expect(done).toMatchObject({ targetedProfileCount: 742, status: 'accepted' });
      expect(done?.fanOutCursor).toBeUndefined();
    });

    test('gives unitary executions no audience fields', async () => {
      const input = newExecution(newSandbox(), newId());

      const execution = await store.executions.create(input);

      expect(execution.audienceId).toBeUndefined();
      expect(execution.targetedProfileCount).toBeUndefined();
    });
  });
}
