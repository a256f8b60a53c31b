import { newId } from '@herald/contracts';
import { ConflictError } from '@herald/errors';
import type { Store, SuppressionReason } from '../ports';
import {
  crm,
  email,
  ISO_TIMESTAMP,
  newSandbox,
  newSchedule,
  randomHash,
  readAllPages,
  rejection,
} from './store.fixture';

/** Audiences, schedules, suppressions and API keys. */
export function describeRegistryContract(stores: () => Store): void {
  let store: Store;
  beforeAll(() => {
    store = stores();
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

    test('a spam complaint gives way to a reason that stops transactional messages, never the reverse', async () => {
      const sandbox = newSandbox();
      const entry = (reason: SuppressionReason, source: string) => ({
        sandbox,
        channel: 'email' as const,
        address: 'grace@example.com',
        reason,
        source,
      });
      await store.suppressions.add(entry('spam-complaint', 'sendgrid'));
      const bounced = await store.suppressions.add(entry('hard-bounce', 'sendgrid-bounce'));
      expect(bounced).toMatchObject({ reason: 'hard-bounce', source: 'sendgrid-bounce' });
      expect(await store.suppressions.find(sandbox, 'email', 'grace@example.com')).toEqual(bounced);
      expect(await store.suppressions.add(entry('spam-complaint', 'sendgrid'))).toEqual(bounced);
      expect(await store.suppressions.add(entry('manual', 'api'))).toEqual(bounced);
      expect((await store.suppressions.list(sandbox, 'email')).items).toHaveLength(1);
    });

    test('an unsubscription, marketing-only like a complaint, keeps the first of the two and gives way to a bounce', async () => {
      const sandbox = newSandbox();
      const entry = (reason: SuppressionReason, source: string) => ({
        sandbox,
        channel: 'email' as const,
        address: 'ada@example.com',
        reason,
        source,
      });
      const unsubscribed = await store.suppressions.add(entry('unsubscribed', 'unsubscribe-link'));
      expect(await store.suppressions.add(entry('spam-complaint', 'sendgrid'))).toEqual(unsubscribed);
      expect(await store.suppressions.add(entry('hard-bounce', 'sendgrid'))).toMatchObject({
        reason: 'hard-bounce',
      });
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
}
