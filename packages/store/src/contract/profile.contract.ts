import { newId } from '@herald/contracts';
import { ConflictError } from '@herald/errors';
import type { Store } from '../ports';
import { crm, definition, email, ISO_TIMESTAMP, newSandbox, readAllPages, rejection } from './fixtures';

/** Profiles: identities, conflicts, upserts, concurrency, and sandbox isolation. */
export function describeProfileContract(stores: () => Store): void {
  let store: Store;
  beforeAll(() => {
    store = stores();
  });

  describe('profiles', () => {
    test('creates a profile with empty defaults for the fields not given', async () => {
      const sandbox = newSandbox();
      const profile = await store.profiles.create(sandbox, { identities: [email('ada@example.com')] });

      expect(profile).toMatchObject({
        sandbox,
        identities: [email('ada@example.com')],
        attributes: {},
        consents: { marketing: {} },
        pushSubscriptions: [],
      });
      expect(profile.createdAt).toMatch(ISO_TIMESTAMP);
      expect(await store.profiles.get(sandbox, profile.id)).toEqual(profile);
    });

    test('stores every field given on create', async () => {
      const sandbox = newSandbox();
      const input = {
        identities: [email('ada@example.com'), crm('42')],
        attributes: { person: { name: { firstName: 'Ada' } }, tier: 'gold' },
        preferredLanguage: 'fr-FR',
        timezone: 'Europe/Paris',
        consents: { marketing: { email: 'y' as const, sms: 'n' as const } },
        pushSubscriptions: [{ endpoint: 'https://push.example.com/1', keys: { p256dh: 'p', auth: 'a' } }],
      };

      const profile = await store.profiles.create(sandbox, input);

      expect(profile).toMatchObject(input);
      expect(await store.profiles.get(sandbox, profile.id)).toEqual(profile);
    });

    test('finds a profile by any of its identities', async () => {
      const sandbox = newSandbox();
      const profile = await store.profiles.create(sandbox, {
        identities: [email('ada@example.com'), crm('42')],
      });

      expect((await store.profiles.findByIdentity(sandbox, email('ada@example.com')))?.id).toBe(profile.id);
      expect((await store.profiles.findByIdentity(sandbox, crm('42')))?.id).toBe(profile.id);
      expect(await store.profiles.findByIdentity(sandbox, crm('43'))).toBeNull();
      expect(await store.profiles.findByIdentity(sandbox, { namespace: 'phone', id: '42' })).toBeNull();
      expect(await store.profiles.get(sandbox, newId())).toBeNull();
    });

    test('refuses a profile whose identity belongs to another profile', async () => {
      const sandbox = newSandbox();
      await store.profiles.create(sandbox, { identities: [email('ada@example.com')] });

      const error = await rejection(
        store.profiles.create(sandbox, { identities: [crm('7'), email('ada@example.com')] }),
      );

      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({ code: 'identity-conflict', status: 409 });
      expect(error.errors).toEqual([
        expect.objectContaining({ path: '/identities/1', code: 'identity-conflict' }),
      ]);
      expect(await store.profiles.findByIdentity(sandbox, crm('7'))).toBeNull();
      expect((await store.profiles.list(sandbox)).items).toHaveLength(1);
    });

    test('upsert creates a profile when none of the identities is known', async () => {
      const sandbox = newSandbox();

      const { profile, created } = await store.profiles.upsert(sandbox, {
        identities: [email('ada@example.com')],
        attributes: { tier: 'gold' },
      });

      expect(created).toBe(true);
      expect(profile).toMatchObject({
        identities: [email('ada@example.com')],
        attributes: { tier: 'gold' },
      });
      expect((await store.profiles.findByIdentity(sandbox, email('ada@example.com')))?.id).toBe(profile.id);
    });

    test('upsert merges into the profile holding the identities', async () => {
      const sandbox = newSandbox();
      const original = await store.profiles.create(sandbox, {
        identities: [email('ada@example.com')],
        attributes: {
          person: { name: { firstName: 'Ada', lastName: 'King' } },
          tier: 'silver',
          city: 'London',
        },
        preferredLanguage: 'en-GB',
        timezone: 'Europe/London',
        consents: { marketing: { email: 'y' } },
      });

      const { profile, created } = await store.profiles.upsert(sandbox, {
        identities: [email('ada@example.com'), crm('42')],
        attributes: { person: { name: { firstName: 'Augusta' } }, tier: 'gold' },
        preferredLanguage: 'fr-FR',
        consents: { marketing: { sms: 'n' } },
      });

      expect(created).toBe(false);
      expect(profile.id).toBe(original.id);
      expect(profile.identities).toEqual([email('ada@example.com'), crm('42')]);
      // Top-level keys are replaced whole: the nested lastName goes with the old `person`.
      expect(profile.attributes).toEqual({
        person: { name: { firstName: 'Augusta' } },
        tier: 'gold',
        city: 'London',
      });
      expect(profile).toMatchObject({
        preferredLanguage: 'fr-FR',
        timezone: 'Europe/London',
        consents: { marketing: { sms: 'n' } },
      });
      expect(await store.profiles.get(sandbox, original.id)).toEqual(profile);
      expect((await store.profiles.findByIdentity(sandbox, crm('42')))?.id).toBe(original.id);
      expect((await store.profiles.list(sandbox)).items).toHaveLength(1);
    });

    test('upsert with a known identity only keeps the fields it is not given', async () => {
      const sandbox = newSandbox();
      const original = await store.profiles.create(sandbox, {
        identities: [email('ada@example.com'), crm('42')],
        attributes: { tier: 'silver' },
        timezone: 'Europe/London',
        pushSubscriptions: [{ endpoint: 'https://push.example.com/1', keys: { p256dh: 'p', auth: 'a' } }],
      });

      const { profile, created } = await store.profiles.upsert(sandbox, { identities: [crm('42')] });

      expect(created).toBe(false);
      expect(profile).toMatchObject({
        id: original.id,
        identities: original.identities,
        attributes: original.attributes,
        timezone: 'Europe/London',
        pushSubscriptions: original.pushSubscriptions,
      });
    });

    test('refuses an upsert whose identities belong to two profiles and changes nothing', async () => {
      const sandbox = newSandbox();
      const first = await store.profiles.create(sandbox, { identities: [email('ada@example.com')] });
      const second = await store.profiles.create(sandbox, { identities: [crm('42')] });

      const error = await rejection(
        store.profiles.upsert(sandbox, {
          identities: [crm('99'), email('ada@example.com'), crm('42')],
          attributes: { tier: 'gold' },
        }),
      );

      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({ code: 'identity-conflict', status: 409 });
      expect(error.errors.map((e) => [e.path, e.code])).toEqual([
        ['/identities/1', 'identity-conflict'],
        ['/identities/2', 'identity-conflict'],
      ]);
      expect(await store.profiles.get(sandbox, first.id)).toEqual(first);
      expect(await store.profiles.get(sandbox, second.id)).toEqual(second);
      expect(await store.profiles.findByIdentity(sandbox, crm('99'))).toBeNull();
      expect((await store.profiles.list(sandbox)).items).toHaveLength(2);
    });

    test('findOrCreateManyByIdentity finds or creates each, in order, one profile per identity', async () => {
      const store = stores();
      const sandbox = newSandbox();
      const known = await store.profiles.create(sandbox, { identities: [email('known@example.com')] });

      const results = await store.profiles.findOrCreateManyByIdentity(sandbox, [
        email('new-1@example.com'),
        email('known@example.com'),
        email('new-1@example.com'),
        crm('c-9'),
      ]);

      expect(results.map((r) => r.created)).toEqual([true, false, false, true]);
      expect(results[1]?.profile.id).toBe(known.id);
      expect(results[2]?.profile.id).toBe(results[0]?.profile.id);
      expect(results[3]?.profile.identities).toEqual([crm('c-9')]);
      const again = await store.profiles.findOrCreateManyByIdentity(sandbox, [
        crm('c-9'),
        email('new-1@example.com'),
      ]);
      expect(again.map((r) => [r.profile.id, r.created])).toEqual([
        [results[3]?.profile.id, false],
        [results[0]?.profile.id, false],
      ]);
    });

    test('findOrCreateByIdentity creates the profile once, then returns it', async () => {
      const sandbox = newSandbox();
      const defaults = { attributes: { source: 'api' }, preferredLanguage: 'de-DE' };

      const first = await store.profiles.findOrCreateByIdentity(sandbox, email('ada@example.com'), defaults);
      const second = await store.profiles.findOrCreateByIdentity(sandbox, email('ada@example.com'), {
        attributes: { source: 'ignored' },
      });

      expect(first.created).toBe(true);
      expect(first.profile).toMatchObject({
        identities: [email('ada@example.com')],
        attributes: { source: 'api' },
        preferredLanguage: 'de-DE',
      });
      expect(second.created).toBe(false);
      expect(second.profile).toEqual(first.profile);
    });

    test('concurrent findOrCreateByIdentity calls for one identity end with one profile', async () => {
      const sandbox = newSandbox();

      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          store.profiles.findOrCreateByIdentity(sandbox, email('ada@example.com')),
        ),
      );

      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.profile.id)).size).toBe(1);
      expect((await store.profiles.list(sandbox)).items).toHaveLength(1);
    });

    test('deletes a profile and frees its identities', async () => {
      const sandbox = newSandbox();
      const profile = await store.profiles.create(sandbox, { identities: [email('ada@example.com')] });

      expect(await store.profiles.delete(sandbox, profile.id)).toBe(true);
      expect(await store.profiles.delete(sandbox, profile.id)).toBe(false);
      expect(await store.profiles.get(sandbox, profile.id)).toBeNull();
      expect(await store.profiles.findByIdentity(sandbox, email('ada@example.com'))).toBeNull();
      const again = await store.profiles.create(sandbox, { identities: [email('ada@example.com')] });
      expect(again.id).not.toBe(profile.id);
    });

    test('lists profiles in creation order across pages with no duplicates and no gaps', async () => {
      const sandbox = newSandbox();
      const ids: string[] = [];
      for (let i = 0; i < 8; i += 1) {
        ids.push((await store.profiles.create(sandbox, { identities: [crm(String(i))] })).id);
      }

      const { items, pages } = await readAllPages((page) => store.profiles.list(sandbox, page), 3);

      expect(pages).toBe(3);
      expect(items.map((p) => p.id)).toEqual(ids);
      expect(items.map((p) => p.identities)).toEqual(ids.map((_, i) => [crm(String(i))]));
    });

    test('clamps the page size and ends with a null cursor', async () => {
      const sandbox = newSandbox();
      for (let i = 0; i < 3; i += 1) await store.profiles.create(sandbox, { identities: [crm(String(i))] });

      const tiny = await store.profiles.list(sandbox, { limit: 0 });
      expect(tiny.items).toHaveLength(1);
      expect(tiny.nextCursor).not.toBeNull();

      const all = await store.profiles.list(sandbox, { limit: 10_000 });
      expect(all.items).toHaveLength(3);
      expect(all.nextCursor).toBeNull();

      const exact = await store.profiles.list(sandbox, { limit: 3 });
      expect(exact.items).toHaveLength(3);
      expect(exact.nextCursor).toBeNull();
    });
  });

  describe('sandbox isolation', () => {
    test('keeps profiles and campaigns of one sandbox invisible from another', async () => {
      const a = newSandbox();
      const b = newSandbox();
      const profile = await store.profiles.create(a, { identities: [email('ada@example.com')] });
      const campaign = await store.campaigns.create({ sandbox: a, definition: definition() });

      expect(await store.profiles.get(b, profile.id)).toBeNull();
      expect(await store.profiles.findByIdentity(b, email('ada@example.com'))).toBeNull();
      expect((await store.profiles.list(b)).items).toEqual([]);
      expect(await store.profiles.delete(b, profile.id)).toBe(false);
      expect(await store.campaigns.get(b, campaign.id)).toBeNull();
      expect(await store.campaigns.getVersion(b, campaign.id, 1)).toBeNull();
      expect((await store.campaigns.list(b)).items).toEqual([]);
      await expect(
        store.campaigns.transition(b, campaign.id, { from: ['draft'], to: 'live' }),
      ).rejects.toMatchObject({
        code: 'campaign-not-found',
      });
      expect(await store.profiles.get(a, profile.id)).toEqual(profile);
    });

    test('allows the same identity in two sandboxes', async () => {
      const a = newSandbox();
      const b = newSandbox();

      const inA = await store.profiles.create(a, { identities: [email('ada@example.com')] });
      const inB = await store.profiles.create(b, { identities: [email('ada@example.com')] });

      expect(inA.id).not.toBe(inB.id);
      expect((await store.profiles.findByIdentity(a, email('ada@example.com')))?.id).toBe(inA.id);
      expect((await store.profiles.findByIdentity(b, email('ada@example.com')))?.id).toBe(inB.id);
    });
  });
}
