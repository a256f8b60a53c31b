import { randomUUID } from 'node:crypto';
import type { Campaign, CampaignDefinition, Identity } from '@herald/contracts';
import { deliveryJobId, newId } from '@herald/contracts';
import { ConflictError, HeraldError, NotFoundError } from '@herald/errors';
import type { DeliveryKey, NewExecution, Page, PageRequest, Store } from './ports';

/**
 * The behaviours every store adapter must show. Each test works in a sandbox of its own, so the
 * suite can run against a shared database that already holds data.
 */
export function describeStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`store contract: ${name}`, () => {
    let store: Store;

    beforeAll(async () => {
      store = await open();
    });

    afterAll(async () => {
      await store?.close();
    });

    test('answers a ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
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

      test('findOrCreateByIdentity creates the profile once, then returns it', async () => {
        const sandbox = newSandbox();
        const defaults = { attributes: { source: 'api' }, preferredLanguage: 'de-DE' };

        const first = await store.profiles.findOrCreateByIdentity(
          sandbox,
          email('ada@example.com'),
          defaults,
        );
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

    describe('audiences', () => {
      test('stores query and static audiences and lists them', async () => {
        const sandbox = newSandbox();
        const query = await store.audiences.create({
          sandbox,
          name: 'Gold members',
          description: 'Tier gold',
          kind: 'query',
          query: { 'attributes.tier': { $in: ['gold'] } },
        });
        const members = await store.audiences.create({
          sandbox,
          name: 'Beta testers',
          kind: 'static',
          identities: [email('ada@example.com'), crm('42')],
        });

        expect(query).toMatchObject({ kind: 'query', query: { 'attributes.tier': { $in: ['gold'] } } });
        expect(members).toMatchObject({ kind: 'static', identities: [email('ada@example.com'), crm('42')] });
        expect(await store.audiences.get(sandbox, query.id)).toEqual(query);
        expect(await store.audiences.get(newSandbox(), query.id)).toBeNull();
        const { items } = await readAllPages((page) => store.audiences.list(sandbox, page), 1);
        expect(items.map((a) => a.id)).toEqual([query.id, members.id]);
      });

      test('deletes an audience once', async () => {
        const sandbox = newSandbox();
        const audience = await store.audiences.create({ sandbox, name: 'All', kind: 'query', query: {} });

        expect(await store.audiences.delete(sandbox, audience.id)).toBe(true);
        expect(await store.audiences.delete(sandbox, audience.id)).toBe(false);
        expect(await store.audiences.get(sandbox, audience.id)).toBeNull();
      });
    });

    describe('schedules', () => {
      test('creates a schedule as Scheduled', async () => {
        const sandbox = newSandbox();
        const input = {
          sandbox,
          campaignId: newId(),
          audienceId: newId(),
          context: { offer: 'SPRING' },
          executeAt: '2030-01-01T09:00:00.000Z',
        };

        const schedule = await store.schedules.create(input);

        expect(schedule).toMatchObject({ ...input, status: 'Scheduled' });
        expect(schedule.executionId).toBeUndefined();
        expect(await store.schedules.get(sandbox, schedule.id)).toEqual(schedule);
      });

      test('triggers a scheduled schedule exactly once', async () => {
        const sandbox = newSandbox();
        const schedule = await store.schedules.create(newSchedule(sandbox));
        const executionId = newId();

        const triggered = await store.schedules.settle(sandbox, schedule.id, 'Triggered', executionId);

        expect(triggered).toMatchObject({ id: schedule.id, status: 'Triggered', executionId });
        expect(await store.schedules.settle(sandbox, schedule.id, 'Triggered', newId())).toBeNull();
        expect(await store.schedules.settle(sandbox, schedule.id, 'Cancelled')).toBeNull();
        expect(await store.schedules.get(sandbox, schedule.id)).toMatchObject({
          status: 'Triggered',
          executionId,
        });
      });

      test('never triggers a cancelled schedule', async () => {
        const sandbox = newSandbox();
        const schedule = await store.schedules.create(newSchedule(sandbox));

        expect(await store.schedules.settle(sandbox, schedule.id, 'Cancelled')).toMatchObject({
          status: 'Cancelled',
        });
        expect(await store.schedules.settle(sandbox, schedule.id, 'Triggered', newId())).toBeNull();
        const stored = await store.schedules.get(sandbox, schedule.id);
        expect(stored?.status).toBe('Cancelled');
        expect(stored?.executionId).toBeUndefined();
      });

      test('lets exactly one of a concurrent trigger and cancel win', async () => {
        const sandbox = newSandbox();
        const schedule = await store.schedules.create(newSchedule(sandbox));

        const outcomes = await Promise.all([
          store.schedules.settle(sandbox, schedule.id, 'Triggered', newId()),
          store.schedules.settle(sandbox, schedule.id, 'Cancelled'),
        ]);

        expect(outcomes.filter((o) => o !== null)).toHaveLength(1);
      });

      test('settles nothing for a schedule that does not exist', async () => {
        expect(await store.schedules.settle(newSandbox(), newId(), 'Cancelled')).toBeNull();
        expect(await store.schedules.get(newSandbox(), newId())).toBeNull();
      });
    });

    describe('suppressions', () => {
      test('adding an address twice keeps the first entry', async () => {
        const sandbox = newSandbox();
        const first = await store.suppressions.add({
          sandbox,
          channel: 'email',
          address: 'ada@example.com',
          reason: 'hard-bounce',
          source: 'sendgrid',
        });

        const second = await store.suppressions.add({
          sandbox,
          channel: 'email',
          address: 'ADA@example.com',
          reason: 'manual',
          source: 'api',
        });

        expect(second).toEqual(first);
        expect(first).toMatchObject({
          address: 'ada@example.com',
          reason: 'hard-bounce',
          source: 'sendgrid',
        });
        expect((await store.suppressions.list(sandbox, 'email')).items).toHaveLength(1);
      });

      test('finds an e-mail suppression whatever the case of the address', async () => {
        const sandbox = newSandbox();
        const added = await store.suppressions.add({
          sandbox,
          channel: 'email',
          address: 'Ada.Lovelace@Example.COM',
          reason: 'spam-complaint',
          source: 'sendgrid',
        });

        expect(added.address).toBe('ada.lovelace@example.com');
        expect(await store.suppressions.find(sandbox, 'email', 'ada.lovelace@example.com')).toEqual(added);
        expect(await store.suppressions.find(sandbox, 'email', 'ADA.LOVELACE@EXAMPLE.COM')).toEqual(added);
        expect(await store.suppressions.find(sandbox, 'sms', 'ada.lovelace@example.com')).toBeNull();
        expect(await store.suppressions.find(newSandbox(), 'email', 'ada.lovelace@example.com')).toBeNull();
      });

      test('removes a suppression', async () => {
        const sandbox = newSandbox();
        await store.suppressions.add({
          sandbox,
          channel: 'email',
          address: 'ada@example.com',
          reason: 'manual',
          source: 'api',
        });

        expect(await store.suppressions.remove(sandbox, 'email', 'Ada@Example.com')).toBe(true);
        expect(await store.suppressions.remove(sandbox, 'email', 'ada@example.com')).toBe(false);
        expect(await store.suppressions.find(sandbox, 'email', 'ada@example.com')).toBeNull();
      });

      test('lists the suppressions of one channel sorted by address', async () => {
        const sandbox = newSandbox();
        for (const address of ['carol@example.com', 'Alice@example.com', 'bob@example.com']) {
          await store.suppressions.add({
            sandbox,
            channel: 'email',
            address,
            reason: 'manual',
            source: 'api',
          });
        }
        await store.suppressions.add({
          sandbox,
          channel: 'sms',
          address: '+33600000000',
          reason: 'manual',
          source: 'api',
        });

        const { items, pages } = await readAllPages(
          (page) => store.suppressions.list(sandbox, 'email', page),
          2,
        );

        expect(pages).toBe(2);
        expect(items.map((s) => s.address)).toEqual([
          'alice@example.com',
          'bob@example.com',
          'carol@example.com',
        ]);
        expect((await store.suppressions.list(sandbox, 'sms')).items.map((s) => s.address)).toEqual([
          '+33600000000',
        ]);
      });
    });

    describe('API keys', () => {
      test('finds an API key by its hash', async () => {
        const hash = randomHash();
        const key = await store.apiKeys.create({
          name: 'shop',
          hash,
          sandboxes: ['prod', 'staging'],
          roles: ['execute'],
        });

        expect(key).toMatchObject({ name: 'shop', hash, sandboxes: ['prod', 'staging'], roles: ['execute'] });
        expect(key.revokedAt).toBeUndefined();
        expect(await store.apiKeys.findByHash(hash)).toEqual(key);
        expect(await store.apiKeys.findByHash(randomHash())).toBeNull();
      });

      test('does not find a revoked API key', async () => {
        const hash = randomHash();
        const key = await store.apiKeys.create({ name: 'old', hash, sandboxes: ['prod'], roles: ['admin'] });

        expect(await store.apiKeys.revoke(key.id)).toBe(true);

        expect(await store.apiKeys.findByHash(hash)).toBeNull();
        expect(await store.apiKeys.revoke(newId())).toBe(false);
      });

      test('refuses a second API key with the same hash', async () => {
        const hash = randomHash();
        await store.apiKeys.create({ name: 'first', hash, sandboxes: ['prod'], roles: ['execute'] });

        const error = await rejection(
          store.apiKeys.create({ name: 'second', hash, sandboxes: ['prod'], roles: ['admin'] }),
        );

        expect(error).toBeInstanceOf(ConflictError);
        expect(error).toMatchObject({ code: 'api-key-exists', status: 409 });
        expect((await store.apiKeys.findByHash(hash))?.name).toBe('first');
      });

      test('lists API keys, revoked ones included', async () => {
        const active = await store.apiKeys.create({
          name: 'a',
          hash: randomHash(),
          sandboxes: ['prod'],
          roles: ['manage'],
        });
        const revoked = await store.apiKeys.create({
          name: 'b',
          hash: randomHash(),
          sandboxes: ['prod'],
          roles: ['manage'],
        });
        await store.apiKeys.revoke(revoked.id);

        // Keys are not per sandbox: other tests' keys share the listing, so look for these two.
        const { items } = await readAllPages((page) => store.apiKeys.list(page), 100);
        const listed = items.filter((k) => k.id === active.id || k.id === revoked.id);

        expect(listed.map((k) => k.id)).toEqual([active.id, revoked.id]);
        expect(listed[1]?.revokedAt).toMatch(ISO_TIMESTAMP);
        expect(new Set(items.map((k) => k.id)).size).toBe(items.length);
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
  });
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function newSandbox(): string {
  return `contract-${randomUUID()}`;
}

function randomHash(): string {
  return `${randomUUID().replaceAll('-', '')}${randomUUID().replaceAll('-', '')}`;
}

function email(address: string): Identity {
  return { namespace: 'email', id: address };
}

function crm(id: string): Identity {
  return { namespace: 'crmId', id };
}

function definition(name = 'Order shipped'): CampaignDefinition {
  return {
    name,
    description: 'Tells the customer the order is on its way',
    tags: ['orders'],
    type: 'transactional',
    channel: 'email',
    channelConfig: { email: { fromAddress: 'shop@example.com', fromName: 'Shop' } },
    content: {
      defaultLocale: 'en',
      locales: {
        en: { subject: 'Order {{ context.orderId }} shipped', html: '<p>On its way</p>', text: 'On its way' },
      },
    },
    contextSchema: { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'] },
    identityNamespace: 'email',
    createProfiles: true,
  };
}

function newExecution(sandbox: string, campaignId: string, extra: Partial<NewExecution> = {}): NewExecution {
  return {
    id: newId(),
    sandbox,
    kind: 'unitary',
    campaignId,
    campaignVersion: 1,
    requestId: randomUUID(),
    recipientCount: 3,
    ...extra,
  };
}

function newSchedule(sandbox: string) {
  return { sandbox, campaignId: newId(), executeAt: '2030-01-01T09:00:00.000Z' };
}

function deliveryKey(sandbox: string, executionId: string, recipientIndex: number): DeliveryKey {
  return {
    id: deliveryJobId(executionId, recipientIndex),
    sandbox,
    executionId,
    campaignId: 'campaign-1',
    campaignVersion: 1,
    recipientIndex,
    channel: 'email',
  };
}

function event(status: 'queued' | 'sent' | 'excluded' | 'bounced' | 'delivered') {
  return { status, at: new Date().toISOString() };
}

/** Follows `nextCursor` to the end; callers compare the items with what they wrote, in order. */
async function readAllPages<T>(
  fetch: (page: PageRequest) => Promise<Page<T>>,
  limit: number,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await fetch(cursor === undefined ? { limit } : { limit, cursor });
    pages += 1;
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
    if (pages > 1000) throw new Error('paging does not end');
  } while (cursor !== undefined);
  return { items, pages };
}

/** The error a call is refused with; fails the test when the call succeeds. */
async function rejection(promise: Promise<unknown>): Promise<HeraldError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HeraldError) return error;
    throw error;
  }
  throw new Error('expected the call to be refused, but it succeeded');
}
