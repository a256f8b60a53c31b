import type { FeedbackEvent } from '@herald/contracts';
import type { Store } from '../ports';
import { ISO_TIMESTAMP, newSandbox, readAllPages } from './store.fixture';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NEW_SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';

function subscriptionInput(sandbox: string) {
  return {
    sandbox,
    url: 'https://hooks.example.com/herald',
    events: ['message.sent' as const, 'message.bounced' as const],
    description: 'CRM',
    secret: SECRET,
  };
}

function feedbackEvent(sandbox: string, id: string): FeedbackEvent {
  return {
    id,
    type: 'message.sent',
    sandbox,
    campaignId: 'campaign-1',
    executionId: 'execution-1',
    deliveryId: 'execution-1-r0',
    channel: 'email',
    at: '2026-01-01T10:00:00.000Z',
    requestId: 'req-1',
  };
}

/** Feedback webhook subscriptions and their delivery log. */
export function describeWebhookContract(stores: () => Store): void {
  let store: Store;
  beforeAll(() => {
    store = stores();
  });

  describe('webhook subscriptions', () => {
    test('creates an enabled subscription and reads it back without its secret', async () => {
      const sandbox = newSandbox();
      const created = await store.webhookSubscriptions.create(subscriptionInput(sandbox));

      expect(created).toEqual({
        id: expect.any(String),
        sandbox,
        url: 'https://hooks.example.com/herald',
        events: ['message.sent', 'message.bounced'],
        description: 'CRM',
        enabled: true,
        secret: SECRET,
        createdAt: expect.stringMatching(ISO_TIMESTAMP),
        updatedAt: created.createdAt,
      });
      const { secret, ...shown } = created;
      expect(secret).toBe(SECRET);
      expect(await store.webhookSubscriptions.get(sandbox, created.id)).toEqual(shown);
      expect(await store.webhookSubscriptions.getWithSecrets(sandbox, created.id)).toEqual(created);
      expect(await store.webhookSubscriptions.get(newSandbox(), created.id)).toBeNull();
    });

    test('lists the subscriptions of a sandbox in creation order, page by page', async () => {
      const sandbox = newSandbox();
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1)
        ids.push((await store.webhookSubscriptions.create(subscriptionInput(sandbox))).id);
      await store.webhookSubscriptions.create(subscriptionInput(newSandbox()));

      const { items, pages } = await readAllPages(
        (page) => store.webhookSubscriptions.list(sandbox, page),
        2,
      );

      expect(items.map((item) => item.id)).toEqual(ids);
      expect(pages).toBe(3);
      expect(items.every((item) => !('secret' in item))).toBe(true);
    });

    test('updates the fields given and keeps the others', async () => {
      const sandbox = newSandbox();
      const created = await store.webhookSubscriptions.create(subscriptionInput(sandbox));

      const updated = await store.webhookSubscriptions.update(sandbox, created.id, {
        url: 'https://other.example.com/hook',
        events: ['message.clicked'],
      });

      expect(updated).toEqual({
        id: created.id,
        sandbox,
        url: 'https://other.example.com/hook',
        events: ['message.clicked'],
        description: 'CRM',
        enabled: true,
        createdAt: created.createdAt,
        updatedAt: expect.stringMatching(ISO_TIMESTAMP),
      });
      expect(await store.webhookSubscriptions.update(sandbox, 'no-such-id', { enabled: false })).toBeNull();
    });

    test('tracks failing since the first failure, and clears it on a success', async () => {
      const sandbox = newSandbox();
      const { id } = await store.webhookSubscriptions.create(subscriptionInput(sandbox));

      expect(await store.webhookSubscriptions.markFailing(sandbox, id, '2026-01-01T00:00:00.000Z')).toBe(
        '2026-01-01T00:00:00.000Z',
      );
      expect(await store.webhookSubscriptions.markFailing(sandbox, id, '2026-01-02T00:00:00.000Z')).toBe(
        '2026-01-01T00:00:00.000Z',
      );
      await store.webhookSubscriptions.markSucceeded(sandbox, id);
      expect((await store.webhookSubscriptions.get(sandbox, id))?.failingSince).toBeUndefined();
      expect(await store.webhookSubscriptions.markFailing(sandbox, id, '2026-01-03T00:00:00.000Z')).toBe(
        '2026-01-03T00:00:00.000Z',
      );
      expect(
        await store.webhookSubscriptions.markFailing(sandbox, 'no-such-id', '2026-01-03T00:00:00.000Z'),
      ).toBeNull();
    });

    test('disables with a reason once, leaves it out of the enabled list, and re-enabling clears both', async () => {
      const sandbox = newSandbox();
      const first = await store.webhookSubscriptions.create(subscriptionInput(sandbox));
      const second = await store.webhookSubscriptions.create(subscriptionInput(sandbox));
      await store.webhookSubscriptions.markFailing(sandbox, first.id, '2026-01-01T00:00:00.000Z');

      expect(
        await store.webhookSubscriptions.disable(
          sandbox,
          first.id,
          'failing for 3 days',
          '2026-01-04T00:00:00.000Z',
        ),
      ).toBe(true);
      expect(
        await store.webhookSubscriptions.disable(sandbox, first.id, 'again', '2026-01-05T00:00:00.000Z'),
      ).toBe(false);

      const disabled = await store.webhookSubscriptions.get(sandbox, first.id);
      expect(disabled).toMatchObject({ enabled: false, disabledReason: 'failing for 3 days' });
      expect((await store.webhookSubscriptions.listEnabled(sandbox)).map((s) => s.id)).toEqual([second.id]);

      const enabled = await store.webhookSubscriptions.update(sandbox, first.id, { enabled: true });
      expect(enabled?.enabled).toBe(true);
      expect(enabled?.disabledReason).toBeUndefined();
      expect(enabled?.failingSince).toBeUndefined();
      expect((await store.webhookSubscriptions.listEnabled(sandbox)).map((s) => s.id)).toEqual([
        first.id,
        second.id,
      ]);
    });

    test('rotates the secret, keeping the previous one until the given time', async () => {
      const sandbox = newSandbox();
      const { id } = await store.webhookSubscriptions.create(subscriptionInput(sandbox));

      const rotated = await store.webhookSubscriptions.rotateSecret(
        sandbox,
        id,
        NEW_SECRET,
        '2026-01-02T00:00:00.000Z',
      );

      expect(rotated).toMatchObject({
        secret: NEW_SECRET,
        previousSecret: SECRET,
        previousSecretExpiresAt: '2026-01-02T00:00:00.000Z',
      });
      const again = await store.webhookSubscriptions.rotateSecret(
        sandbox,
        id,
        SECRET,
        '2026-01-03T00:00:00.000Z',
      );
      expect(again).toMatchObject({ secret: SECRET, previousSecret: NEW_SECRET });
      expect(
        await store.webhookSubscriptions.rotateSecret(
          sandbox,
          'no-such-id',
          SECRET,
          '2026-01-03T00:00:00.000Z',
        ),
      ).toBeNull();
    });

    test('deletes a subscription with its delivery log', async () => {
      const sandbox = newSandbox();
      const { id } = await store.webhookSubscriptions.create(subscriptionInput(sandbox));
      await store.webhookDeliveries.recordQueued(
        sandbox,
        id,
        feedbackEvent(sandbox, 'e-1'),
        '2026-01-01T00:00:00.000Z',
      );

      expect(await store.webhookSubscriptions.delete(sandbox, id)).toBe(true);
      expect(await store.webhookSubscriptions.delete(sandbox, id)).toBe(false);
      expect(await store.webhookSubscriptions.get(sandbox, id)).toBeNull();
      expect(await store.webhookDeliveries.get(sandbox, id, 'e-1')).toBeNull();
    });
  });

  describe('webhook delivery log', () => {
    test('logs an event once as pending, and keeps the first entry when logged again', async () => {
      const sandbox = newSandbox();
      const event = feedbackEvent(sandbox, 'd-1:sent');

      const first = await store.webhookDeliveries.recordQueued(
        sandbox,
        'sub-1',
        event,
        '2026-01-01T00:00:00.000Z',
      );
      await store.webhookDeliveries.recordAttempt(sandbox, 'sub-1', event.id, {
        status: 'delivered',
        statusCode: 204,
        responseTimeMs: 12,
        at: '2026-01-01T00:00:01.000Z',
      });
      const again = await store.webhookDeliveries.recordQueued(
        sandbox,
        'sub-1',
        event,
        '2026-01-01T00:00:05.000Z',
      );

      expect(first).toEqual({
        sandbox,
        subscriptionId: 'sub-1',
        eventId: 'd-1:sent',
        event,
        status: 'pending',
        attempts: 0,
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-01T00:00:00.000Z',
      });
      expect(again).toMatchObject({
        status: 'delivered',
        attempts: 1,
        lastStatusCode: 204,
        responseTimeMs: 12,
      });
    });

    test('counts attempts, keeps only the last call’s error, and puts a replayed event back to pending', async () => {
      const sandbox = newSandbox();
      const event = feedbackEvent(sandbox, 'd-2:sent');
      await store.webhookDeliveries.recordQueued(sandbox, 'sub-1', event, '2026-01-01T00:00:00.000Z');

      await store.webhookDeliveries.recordAttempt(sandbox, 'sub-1', event.id, {
        status: 'pending',
        error: 'HTTP 500',
        statusCode: 500,
        responseTimeMs: 30,
        at: '2026-01-01T00:00:01.000Z',
      });
      const failed = await store.webhookDeliveries.recordAttempt(sandbox, 'sub-1', event.id, {
        status: 'failed',
        error: 'connect ECONNREFUSED',
        at: '2026-01-01T00:00:02.000Z',
      });
      expect(failed).toEqual({
        sandbox,
        subscriptionId: 'sub-1',
        eventId: event.id,
        event,
        status: 'failed',
        attempts: 2,
        lastError: 'connect ECONNREFUSED',
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-01T00:00:02.000Z',
      });

      const skipped = await store.webhookDeliveries.recordAttempt(sandbox, 'sub-1', event.id, {
        status: 'failed',
        error: 'not posted: the subscription is disabled',
        at: '2026-01-01T00:00:03.000Z',
        skipped: true,
      });
      expect(skipped).toMatchObject({ attempts: 2, lastError: 'not posted: the subscription is disabled' });

      const replayed = await store.webhookDeliveries.markReplayed(
        sandbox,
        'sub-1',
        event.id,
        '2026-01-01T00:01:00.000Z',
      );
      expect(replayed).toMatchObject({ status: 'pending', attempts: 2 });
      expect(
        await store.webhookDeliveries.markReplayed(sandbox, 'sub-1', 'nope', '2026-01-01T00:01:00.000Z'),
      ).toBeNull();
      expect(
        await store.webhookDeliveries.recordAttempt(sandbox, 'sub-1', 'nope', {
          status: 'failed',
          at: '2026-01-01T00:01:00.000Z',
        }),
      ).toBeNull();
    });

    test('lists one subscription’s log newest first, page by page', async () => {
      const sandbox = newSandbox();
      const times = ['2026-01-01T00:00:01.000Z', '2026-01-01T00:00:03.000Z', '2026-01-01T00:00:02.000Z'];
      for (const [i, at] of times.entries()) {
        await store.webhookDeliveries.recordQueued(sandbox, 'sub-1', feedbackEvent(sandbox, `e-${i}`), at);
      }
      // Two events logged in the same millisecond still page apart.
      await store.webhookDeliveries.recordQueued(sandbox, 'sub-1', feedbackEvent(sandbox, 'e-3'), times[1]!);
      await store.webhookDeliveries.recordQueued(sandbox, 'sub-2', feedbackEvent(sandbox, 'e-9'), times[0]!);

      const { items } = await readAllPages(
        (page) => store.webhookDeliveries.listBySubscription(sandbox, 'sub-1', page),
        1,
      );

      expect(items.map((item) => item.eventId)).toEqual(['e-3', 'e-1', 'e-2', 'e-0']);
    });
  });
}
