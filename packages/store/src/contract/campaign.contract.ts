import { newId } from '@herald/contracts';
import { ConflictError, NotFoundError } from '@herald/errors';
import type { Store } from '../ports';
import { definition, ISO_TIMESTAMP, newSandbox, readAllPages, rejection } from './store.fixture';

/** Campaigns: creation, listing, and the versions appended to them. */
export function describeCampaignContract(stores: () => Store): void {
  let store: Store;
  beforeAll(() => {
    store = stores();
  });

  describe('campaigns', () => {
    test('creates a campaign as a draft at version 1 with no live version', async () => {
      const sandbox = newSandbox();
      const created = await store.campaigns.create({ sandbox, definition: definition('Welcome') });

      expect(created).toMatchObject({ sandbox, status: 'draft', latestVersion: 1, liveVersion: null });
      expect(created.definition).toEqual(definition('Welcome'));
      expect(created.createdAt).toMatch(ISO_TIMESTAMP);
      expect(await store.campaigns.get(sandbox, created.id)).toEqual(created);
      expect(await store.campaigns.getVersion(sandbox, created.id, 1)).toMatchObject({
        campaignId: created.id,
        sandbox,
        version: 1,
        definition: definition('Welcome'),
      });
    });

    test('keeps the id given on create', async () => {
      const sandbox = newSandbox();
      const id = newId();
      const created = await store.campaigns.create({ id, sandbox, definition: definition() });
      expect(created.id).toBe(id);
      expect((await store.campaigns.get(sandbox, id))?.id).toBe(id);
    });

    test('returns null for a campaign or version that does not exist', async () => {
      const sandbox = newSandbox();
      expect(await store.campaigns.get(sandbox, newId())).toBeNull();
      const created = await store.campaigns.create({ sandbox, definition: definition() });
      expect(await store.campaigns.getVersion(sandbox, created.id, 2)).toBeNull();
    });

    test('lists campaigns in creation order across pages with no duplicates and no gaps', async () => {
      const sandbox = newSandbox();
      const ids: string[] = [];
      for (let i = 0; i < 7; i += 1) {
        ids.push((await store.campaigns.create({ sandbox, definition: definition(`c${i}`) })).id);
      }

      const { items, pages } = await readAllPages((page) => store.campaigns.list(sandbox, page), 3);

      expect(pages).toBe(3);
      expect(items.map((c) => c.id)).toEqual(ids);
      expect(items.map((c) => c.definition.name)).toEqual(ids.map((_, i) => `c${i}`));
    });

    test('appends versions and shows the latest definition on the campaign', async () => {
      const sandbox = newSandbox();
      const { id } = await store.campaigns.create({ sandbox, definition: definition('v1') });

      const v2 = await store.campaigns.addVersion(sandbox, id, definition('v2'), 1);
      const v3 = await store.campaigns.addVersion(sandbox, id, definition('v3'), 2);

      expect(v2).toMatchObject({ latestVersion: 2, status: 'draft', definition: definition('v2') });
      expect(v3).toMatchObject({ latestVersion: 3, definition: definition('v3') });
      expect((await store.campaigns.get(sandbox, id))?.definition.name).toBe('v3');
      expect((await store.campaigns.getVersion(sandbox, id, 1))?.definition).toEqual(definition('v1'));
      expect((await store.campaigns.getVersion(sandbox, id, 2))?.definition).toEqual(definition('v2'));
    });

    test('lists versions oldest first, across pages', async () => {
      const sandbox = newSandbox();
      const { id } = await store.campaigns.create({ sandbox, definition: definition('v1') });
      for (let version = 1; version < 5; version += 1) {
        await store.campaigns.addVersion(sandbox, id, definition(`v${version + 1}`), version);
      }

      const { items, pages } = await readAllPages(
        (page) => store.campaigns.listVersions(sandbox, id, page),
        2,
      );

      expect(pages).toBe(3);
      expect(items.map((v) => v.version)).toEqual([1, 2, 3, 4, 5]);
      expect(items.map((v) => v.definition.name)).toEqual(['v1', 'v2', 'v3', 'v4', 'v5']);
      expect(items.every((v) => v.campaignId === id && v.sandbox === sandbox)).toBe(true);
    });

    test('refuses a version added on a stale latest version and changes nothing', async () => {
      const sandbox = newSandbox();
      const { id } = await store.campaigns.create({ sandbox, definition: definition('v1') });
      await store.campaigns.addVersion(sandbox, id, definition('v2'), 1);

      const error = await rejection(store.campaigns.addVersion(sandbox, id, definition('stale'), 1));

      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({ code: 'version-conflict', status: 409 });
      const campaign = await store.campaigns.get(sandbox, id);
      expect(campaign).toMatchObject({ latestVersion: 2, definition: definition('v2') });
      expect((await store.campaigns.listVersions(sandbox, id)).items).toHaveLength(2);
    });

    test('lets exactly one of two writers adding the same version win', async () => {
      const sandbox = newSandbox();
      const { id } = await store.campaigns.create({ sandbox, definition: definition('v1') });

      const outcomes = await Promise.allSettled([
        store.campaigns.addVersion(sandbox, id, definition('a'), 1),
        store.campaigns.addVersion(sandbox, id, definition('b'), 1),
      ]);

      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const refused = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(refused?.reason).toMatchObject({ code: 'version-conflict' });
      expect((await store.campaigns.listVersions(sandbox, id)).items).toHaveLength(2);
    });

    test('refuses a version for a campaign that does not exist', async () => {
      const error = await rejection(store.campaigns.addVersion(newSandbox(), newId(), definition(), 1));
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ code: 'campaign-not-found', status: 404 });
    });
  });
}
