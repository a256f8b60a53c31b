import { newId } from '@herald/contracts';
import { ConflictError } from '@herald/errors';
import type { Store } from '../ports';
import { crm, definition, email, ISO_TIMESTAMP, newSandbox, readAllPages, rejection } from './store.fixture';

/** Profiles: create, look-up by identity, delete, listing, and sandbox isolation. */
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

    test('finds the profiles of many identities at once, in order, null for the unknown', async () => {
      const sandbox = newSandbox();
      const ada = await store.profiles.create(sandbox, { identities: [email('ada@example.com'), crm('42')] });
      const bob = await store.profiles.create(sandbox, { identities: [email('bob@example.com')] });

      const found = await store.profiles.findByIdentities(sandbox, [
        crm('42'),
        email('nobody@example.com'),
        { namespace: 'Email', id: 'bob@example.com' },
        email('ada@example.com'),
      ]);

      expect(found.map((profile) => profile?.id ?? null)).toEqual([ada.id, null, bob.id, ada.id]);
      expect(await store.profiles.findByIdentities(sandbox, [])).toEqual([]);
      expect(await store.profiles.findByIdentities(newSandbox(), [crm('42')])).toEqual([null]);
    });

    test('treats namespaces without case: Email and email are one identity, stored lower-case', async () => {
      const sandbox = newSandbox();
      const created = await store.profiles.create(sandbox, {
        identities: [{ namespace: 'Email', id: 'ada@example.com' }],
      });

      expect(created.identities).toEqual([email('ada@example.com')]);
      expect((await store.profiles.findByIdentity(sandbox, email('ada@example.com')))?.id).toBe(created.id);
      const again = await store.profiles.findOrCreateByIdentity(sandbox, {
        namespace: 'EMAIL',
        id: 'ada@example.com',
      });
      expect(again).toMatchObject({ created: false, profile: { id: created.id } });
      const [many] = await store.profiles.findOrCreateManyByIdentity(sandbox, [
        { namespace: 'eMail', id: 'ada@example.com' },
      ]);
      expect(many).toMatchObject({ created: false, profile: { id: created.id } });
      const upserted = await store.profiles.upsert(sandbox, {
        identities: [
          { namespace: 'Email', id: 'ada@example.com' },
          { namespace: 'CRM', id: '7' },
        ],
      });
      expect(upserted).toMatchObject({ created: false, profile: { id: created.id } });
      expect(upserted.profile.identities).toEqual([email('ada@example.com'), { namespace: 'crm', id: '7' }]);
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
