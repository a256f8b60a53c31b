import { ConflictError } from '@herald/errors';
import type { Store } from '../ports';
import { crm, email, newSandbox, rejection } from './store.fixture';

/** Profiles resolved by identity: upsert and find-or-create, their conflicts and concurrency. */
export function describeProfileUpsertContract(stores: () => Store): void {
  let store: Store;
  beforeAll(() => {
    store = stores();
  });

  describe('profiles', () => {
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
  });
}
