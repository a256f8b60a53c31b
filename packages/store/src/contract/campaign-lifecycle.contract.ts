import type { Campaign } from '@herald/contracts';
import { newId } from '@herald/contracts';
import { ConflictError, NotFoundError } from '@herald/errors';
import type { Store } from '../ports';
import { definition, newSandbox, rejection } from './store.fixture';

/** Campaign lifecycle: status transitions, the live version they set, and their guards. */
export function describeCampaignLifecycleContract(stores: () => Store): void {
  let store: Store;
  beforeAll(() => {
    store = stores();
  });

  describe('campaigns', () => {
    test('applies an allowed transition and sets the live version in the same step', async () => {
      const sandbox = newSandbox();
      const { id } = await store.campaigns.create({ sandbox, definition: definition() });

      const live = await store.campaigns.transition(sandbox, id, {
        from: ['draft'],
        to: 'live',
        liveVersion: 1,
      });

      expect(live).toMatchObject({ status: 'live', liveVersion: 1, latestVersion: 1 });
      expect(await store.campaigns.get(sandbox, id)).toMatchObject({ status: 'live', liveVersion: 1 });
    });

    test('keeps the live version when a transition does not name one', async () => {
      const sandbox = newSandbox();
      const { id } = await store.campaigns.create({ sandbox, definition: definition() });
      await store.campaigns.transition(sandbox, id, { from: ['draft'], to: 'live', liveVersion: 1 });
      await store.campaigns.addVersion(sandbox, id, definition('edited'), 1);

      const stopped = await store.campaigns.transition(sandbox, id, {
        from: ['live', 'scheduled'],
        to: 'stopped',
      });

      expect(stopped).toMatchObject({ status: 'stopped', liveVersion: 1, latestVersion: 2 });
    });

    test('publishes a new live version while the campaign stays live', async () => {
      const sandbox = newSandbox();
      const { id } = await store.campaigns.create({ sandbox, definition: definition('v1') });
      await store.campaigns.transition(sandbox, id, { from: ['draft'], to: 'live', liveVersion: 1 });
      await store.campaigns.addVersion(sandbox, id, definition('v2'), 1);

      const published = await store.campaigns.transition(sandbox, id, {
        from: ['live'],
        to: 'live',
        liveVersion: 2,
      });

      expect(published).toMatchObject({ status: 'live', liveVersion: 2, latestVersion: 2 });
    });

    test('refuses a transition from a status not listed and changes nothing', async () => {
      const sandbox = newSandbox();
      const { id } = await store.campaigns.create({ sandbox, definition: definition() });

      const error = await rejection(
        store.campaigns.transition(sandbox, id, { from: ['live'], to: 'stopped', liveVersion: 1 }),
      );

      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({ code: 'illegal-transition', status: 409 });
      expect(await store.campaigns.get(sandbox, id)).toMatchObject({ status: 'draft', liveVersion: null });
    });

    test('lets exactly one of two concurrent transitions from the same status win', async () => {
      const sandbox = newSandbox();
      const { id } = await store.campaigns.create({ sandbox, definition: definition() });

      const outcomes = await Promise.allSettled([
        store.campaigns.transition(sandbox, id, { from: ['draft'], to: 'live', liveVersion: 1 }),
        store.campaigns.transition(sandbox, id, { from: ['draft'], to: 'archived' }),
      ]);

      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const refused = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(refused?.reason).toMatchObject({ code: 'illegal-transition' });
    });

    test('refuses to transition a campaign that does not exist', async () => {
      const error = await rejection(
        store.campaigns.transition(newSandbox(), newId(), { from: ['draft'], to: 'live' }),
      );
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ code: 'campaign-not-found', status: 404 });
    });
  });

  describe('campaign transitions guarded by the live version', () => {
    test('refuses a transition whose expected live version is stale and changes nothing', async () => {
      const sandbox = newSandbox();
      const { id } = await store.campaigns.create({ sandbox, definition: definition('v1') });
      await store.campaigns.transition(sandbox, id, { from: ['draft'], to: 'live', liveVersion: 1 });
      await store.campaigns.addVersion(sandbox, id, definition('v2'), 1);
      await store.campaigns.addVersion(sandbox, id, definition('v3'), 2);
      await store.campaigns.transition(sandbox, id, { from: ['live'], to: 'live', liveVersion: 3 });

      const error = await rejection(
        store.campaigns.transition(sandbox, id, {
          from: ['live'],
          to: 'live',
          liveVersion: 2,
          expectedLiveVersion: 1,
        }),
      );

      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({ code: 'version-conflict', status: 409 });
      expect(await store.campaigns.get(sandbox, id)).toMatchObject({
        status: 'live',
        liveVersion: 3,
        latestVersion: 3,
      });
    });

    test('treats an expected live version of null as nothing live yet', async () => {
      const sandbox = newSandbox();
      const { id } = await store.campaigns.create({ sandbox, definition: definition() });
      await store.campaigns.transition(sandbox, id, { from: ['draft'], to: 'live', liveVersion: 1 });

      const error = await rejection(
        store.campaigns.transition(sandbox, id, {
          from: ['live'],
          to: 'stopped',
          expectedLiveVersion: null,
        }),
      );

      expect(error).toMatchObject({ code: 'version-conflict' });
      expect(await store.campaigns.get(sandbox, id)).toMatchObject({ status: 'live', liveVersion: 1 });
    });

    test('reports a wrong status before a stale live version', async () => {
      const sandbox = newSandbox();
      const { id } = await store.campaigns.create({ sandbox, definition: definition() });

      const error = await rejection(
        store.campaigns.transition(sandbox, id, {
          from: ['live'],
          to: 'live',
          liveVersion: 1,
          expectedLiveVersion: 7,
        }),
      );

      expect(error).toMatchObject({ code: 'illegal-transition' });
    });

    test('applies a transition whose expected live version is current', async () => {
      const sandbox = newSandbox();
      const { id } = await store.campaigns.create({ sandbox, definition: definition('v1') });
      await store.campaigns.transition(sandbox, id, {
        from: ['draft'],
        to: 'live',
        liveVersion: 1,
        expectedLiveVersion: null,
      });
      await store.campaigns.addVersion(sandbox, id, definition('v2'), 1);

      const published = await store.campaigns.transition(sandbox, id, {
        from: ['live'],
        to: 'live',
        liveVersion: 2,
        expectedLiveVersion: 1,
      });

      expect(published).toMatchObject({ status: 'live', liveVersion: 2, latestVersion: 2 });
      expect(await store.campaigns.get(sandbox, id)).toMatchObject({ liveVersion: 2 });
    });

    test('lets exactly one of two concurrent publishes from the same live version win', async () => {
      const sandbox = newSandbox();
      const { id } = await store.campaigns.create({ sandbox, definition: definition('v1') });
      await store.campaigns.transition(sandbox, id, { from: ['draft'], to: 'live', liveVersion: 1 });
      await store.campaigns.addVersion(sandbox, id, definition('v2'), 1);
      await store.campaigns.addVersion(sandbox, id, definition('v3'), 2);

      const outcomes = await Promise.allSettled([
        store.campaigns.transition(sandbox, id, {
          from: ['live'],
          to: 'live',
          liveVersion: 2,
          expectedLiveVersion: 1,
        }),
        store.campaigns.transition(sandbox, id, {
          from: ['live'],
          to: 'live',
          liveVersion: 3,
          expectedLiveVersion: 1,
        }),
      ]);

      const won = outcomes.filter((o): o is PromiseFulfilledResult<Campaign> => o.status === 'fulfilled');
      expect(won).toHaveLength(1);
      const refused = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(refused?.reason).toMatchObject({ code: 'version-conflict' });
      expect((await store.campaigns.get(sandbox, id))?.liveVersion).toBe(won[0]?.value.liveVersion);
    });
  });
}
