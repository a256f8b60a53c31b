import { newId } from '@herald/contracts';
import { ValidationError } from '@herald/errors';
import type {
  DeliveryKey,
  EngagementCountRow,
  EngagementEvent,
  EngagementGrouping,
  EngagementScope,
  Store,
} from '../ports';
import { deliveryKey, email, event, newSandbox, rejection } from './store.fixture';

const DAY_START = '2026-03-01T00:00:00.000Z';
const DAY_END = '2026-03-02T00:00:00.000Z';

/** An `opened` event of campaign `c-1`, execution `e-1`, delivery `d-1` at 10:00, unless overridden. */
function engagement(sandbox: string, key: string, fields: Partial<EngagementEvent> = {}): EngagementEvent {
  return {
    key,
    sandbox,
    campaignId: 'c-1',
    executionId: 'e-1',
    deliveryId: 'd-1',
    channel: 'email',
    kind: 'opened',
    at: '2026-03-01T10:00:00.000Z',
    ...fields,
  };
}

function dayOf(
  sandbox: string,
  narrowing: Partial<EngagementScope> = { campaignId: 'c-1' },
): EngagementScope {
  return { sandbox, from: DAY_START, to: DAY_END, ...narrowing };
}

/** The port promises no order: rows are compared sorted by group (null first), kind, machine flag. */
function sorted(rows: readonly EngagementCountRow[]): EngagementCountRow[] {
  const keyOf = (row: EngagementCountRow) => [row.group ?? '', row.kind, row.machine ? '1' : '0'];
  return [...rows].sort((a, b) => {
    const [x, y] = [keyOf(a), keyOf(b)];
    const at = x.findIndex((part, i) => part !== y[i]);
    return at === -1 ? 0 : (x[at] ?? '') < (y[at] ?? '') ? -1 : 1;
  });
}

/**
 * Engagement events (exactly once per key, counted over time and by dimension) and the
 * marketing-consent withdrawal of an unsubscribe.
 */
export function describeEngagementContract(stores: () => Store): void {
  let store: Store;
  beforeAll(() => {
    store = stores();
  });

  async function countOf(
    scope: EngagementScope,
    grouping: EngagementGrouping = { by: 'reason' },
  ): Promise<EngagementCountRow[]> {
    return sorted(await store.engagement.count(scope, grouping));
  }

  describe('engagement events', () => {
    test('stores each key once: a repeated batch and a key repeated within a batch count once', async () => {
      const sandbox = newSandbox();
      const sent = engagement(sandbox, 'd-1:sent', { kind: 'sent' });
      const open = engagement(sandbox, 'hit-1');

      expect(
        await store.engagement.recordMany([sent, open, { ...open, at: '2026-03-01T11:00:00.000Z' }]),
      ).toBe(2);
      expect(await store.engagement.recordMany([sent, open])).toBe(0);
      expect(await store.engagement.recordMany([sent, engagement(sandbox, 'hit-2')])).toBe(1);
      expect(await store.engagement.recordMany([])).toBe(0);

      expect(await countOf(dayOf(sandbox))).toEqual([
        { group: null, kind: 'opened', machine: false, total: 2, unique: 1 },
        { group: null, kind: 'sent', machine: false, total: 1, unique: 1 },
      ]);
    });

    test('keeps sandboxes apart: a key stored in one is new in another, and counts see their own', async () => {
      const [one, two] = [newSandbox(), newSandbox()];
      await store.engagement.recordMany([engagement(one, 'hit-1'), engagement(one, 'hit-2')]);

      expect(await store.engagement.recordMany([engagement(two, 'hit-1')])).toBe(1);

      expect(await countOf(dayOf(one))).toEqual([
        { group: null, kind: 'opened', machine: false, total: 2, unique: 1 },
      ]);
      expect(await countOf(dayOf(two))).toEqual([
        { group: null, kind: 'opened', machine: false, total: 1, unique: 1 },
      ]);
      expect(await countOf(dayOf(newSandbox()))).toEqual([]);
    });

    test('counts the events in [from, to): one at from is in, one at to is out', async () => {
      const sandbox = newSandbox();
      await store.engagement.recordMany([
        engagement(sandbox, 'before', { at: '2026-02-28T23:59:59.999Z', deliveryId: 'd-0' }),
        engagement(sandbox, 'at-from', { at: DAY_START, deliveryId: 'd-1' }),
        engagement(sandbox, 'last', { at: '2026-03-01T23:59:59.999Z', deliveryId: 'd-2' }),
        engagement(sandbox, 'at-to', { at: DAY_END, deliveryId: 'd-3' }),
      ]);

      expect(await countOf(dayOf(sandbox))).toEqual([
        { group: null, kind: 'opened', machine: false, total: 2, unique: 2 },
      ]);
      // Another offset, the same instants: the bounds compare times, not strings.
      expect(
        await countOf({ ...dayOf(sandbox), from: '2026-03-01T01:00:00+01:00', to: '2026-03-02T00:00:00Z' }),
      ).toEqual([{ group: null, kind: 'opened', machine: false, total: 2, unique: 2 }]);
    });

    test('counts a campaign across its executions, or one execution alone', async () => {
      const sandbox = newSandbox();
      await store.engagement.recordMany([
        engagement(sandbox, 'a', { executionId: 'e-1', deliveryId: 'd-1' }),
        engagement(sandbox, 'b', { executionId: 'e-2', deliveryId: 'd-2' }),
        engagement(sandbox, 'c', { campaignId: 'c-2', executionId: 'e-3', deliveryId: 'd-3' }),
      ]);

      const opened = (total: number) => [
        { group: null, kind: 'opened', machine: false, total, unique: total },
      ];
      expect(await countOf(dayOf(sandbox, { campaignId: 'c-1' }))).toEqual(opened(2));
      expect(await countOf(dayOf(sandbox, { executionId: 'e-2' }))).toEqual(opened(1));
      expect(await countOf(dayOf(sandbox, { campaignId: 'c-1', executionId: 'e-3' }))).toEqual([]);
    });

    test('groups by buckets aligned to the epoch, with distinct deliveries beside events', async () => {
      const sandbox = newSandbox();
      await store.engagement.recordMany([
        engagement(sandbox, 'd-1:sent', { kind: 'sent', at: '2026-03-01T09:59:59.999Z' }),
        engagement(sandbox, 'hit-1', { at: '2026-03-01T10:00:00.000Z' }),
        engagement(sandbox, 'hit-2', { at: '2026-03-01T10:59:59.999Z' }),
        engagement(sandbox, 'hit-3', { at: '2026-03-01T10:30:00.000Z', deliveryId: 'd-2' }),
        engagement(sandbox, 'hit-4', { at: '2026-03-01T11:00:00.000Z' }),
      ]);

      expect(await countOf(dayOf(sandbox), { by: 'bucket', bucketSeconds: 3600 })).toEqual([
        { group: '2026-03-01T09:00:00.000Z', kind: 'sent', machine: false, total: 1, unique: 1 },
        { group: '2026-03-01T10:00:00.000Z', kind: 'opened', machine: false, total: 3, unique: 2 },
        { group: '2026-03-01T11:00:00.000Z', kind: 'opened', machine: false, total: 1, unique: 1 },
      ]);
      expect(await countOf(dayOf(sandbox), { by: 'bucket', bucketSeconds: 86_400 })).toEqual([
        { group: DAY_START, kind: 'opened', machine: false, total: 4, unique: 2 },
        { group: DAY_START, kind: 'sent', machine: false, total: 1, unique: 1 },
      ]);
    });

    test('groups clicks by link, each with its label', async () => {
      const sandbox = newSandbox();
      const click = (key: string, deliveryId: string, linkId: string, label?: string) =>
        engagement(sandbox, key, {
          kind: 'clicked',
          deliveryId,
          linkId,
          ...(label === undefined ? {} : { label }),
        });
      await store.engagement.recordMany([
        click('c1', 'd-1', '0', 'hero'),
        click('c2', 'd-1', '0', 'hero'),
        click('c3', 'd-2', '0', 'hero'),
        click('c4', 'd-1', '1'),
        engagement(sandbox, 'hit-1'),
      ]);

      expect(await countOf(dayOf(sandbox), { by: 'link' })).toEqual([
        { group: null, kind: 'opened', machine: false, total: 1, unique: 1 },
        { group: '0', kind: 'clicked', machine: false, label: 'hero', total: 3, unique: 2 },
        { group: '1', kind: 'clicked', machine: false, total: 1, unique: 1 },
      ]);
    });

    test('counts machine opens and clicks apart from human ones', async () => {
      const sandbox = newSandbox();
      await store.engagement.recordMany([
        engagement(sandbox, 'proxy', { machine: true }),
        engagement(sandbox, 'human-1', { machine: false }),
        engagement(sandbox, 'human-2', { deliveryId: 'd-2' }),
        engagement(sandbox, 'scanner', { kind: 'clicked', linkId: '0', machine: true }),
      ]);

      expect(await countOf(dayOf(sandbox))).toEqual([
        { group: null, kind: 'clicked', machine: true, total: 1, unique: 1 },
        { group: null, kind: 'opened', machine: false, total: 2, unique: 2 },
        { group: null, kind: 'opened', machine: true, total: 1, unique: 1 },
      ]);
    });

    test("groups by the event's domain, else the domain of its delivery record's address", async () => {
      const sandbox = newSandbox();
      const executionId = newId();
      const [ada, bob, sms] = [0, 1, 2].map((i) => deliveryKey(sandbox, executionId, i)) as [
        DeliveryKey,
        DeliveryKey,
        DeliveryKey,
      ];
      await store.deliveries.record(ada, { event: event('sent'), address: 'Ada@Example.COM' });
      await store.deliveries.record(bob, { event: event('sent'), address: 'bob@mail.example.org' });
      await store.deliveries.record(
        { ...sms, channel: 'sms' },
        { event: event('sent'), address: '+33612345678' },
      );
      await store.engagement.recordMany([
        engagement(sandbox, 'a1', { executionId, deliveryId: ada.id }),
        engagement(sandbox, 'a2', { executionId, deliveryId: ada.id, domain: 'given.example' }),
        engagement(sandbox, 'b1', { executionId, deliveryId: bob.id }),
        engagement(sandbox, 's1', { executionId, deliveryId: sms.id, channel: 'sms' }),
        engagement(sandbox, 'x1', { executionId, deliveryId: 'no-such-delivery' }),
      ]);

      expect(await countOf(dayOf(sandbox, { executionId }), { by: 'domain' })).toEqual([
        { group: null, kind: 'opened', machine: false, total: 2, unique: 2 },
        { group: 'example.com', kind: 'opened', machine: false, total: 1, unique: 1 },
        { group: 'given.example', kind: 'opened', machine: false, total: 1, unique: 1 },
        { group: 'mail.example.org', kind: 'opened', machine: false, total: 1, unique: 1 },
      ]);
    });

    test('groups by locale and by reason', async () => {
      const sandbox = newSandbox();
      await store.engagement.recordMany([
        engagement(sandbox, 'd-1:sent', { kind: 'sent', locale: 'fr' }),
        engagement(sandbox, 'd-2:sent', { kind: 'sent', deliveryId: 'd-2', locale: 'fr' }),
        engagement(sandbox, 'd-3:sent', { kind: 'sent', deliveryId: 'd-3' }),
        engagement(sandbox, 'd-4:excluded', { kind: 'excluded', deliveryId: 'd-4', reason: 'no-consent' }),
        engagement(sandbox, 'd-5:excluded', { kind: 'excluded', deliveryId: 'd-5', reason: 'no-consent' }),
      ]);

      expect(await countOf(dayOf(sandbox), { by: 'locale' })).toEqual([
        { group: null, kind: 'excluded', machine: false, total: 2, unique: 2 },
        { group: null, kind: 'sent', machine: false, total: 1, unique: 1 },
        { group: 'fr', kind: 'sent', machine: false, total: 2, unique: 2 },
      ]);
      expect(await countOf(dayOf(sandbox), { by: 'reason' })).toEqual([
        { group: null, kind: 'sent', machine: false, total: 3, unique: 3 },
        { group: 'no-consent', kind: 'excluded', machine: false, total: 2, unique: 2 },
      ]);
    });

    test('refuses a batch with a malformed timestamp and stores none of it', async () => {
      const sandbox = newSandbox();

      const error = await rejection(
        store.engagement.recordMany([
          engagement(sandbox, 'good'),
          engagement(sandbox, 'bad', { at: 'yesterday' }),
        ]),
      );

      expect(error).toBeInstanceOf(ValidationError);
      expect(error.code).toBe('invalid-timestamp');
      expect(await countOf(dayOf(sandbox))).toEqual([]);
    });
  });

  describe('marketing consent withdrawal', () => {
    test("sets the channel's marketing consent to 'n', keeps the others, and a repeat changes nothing", async () => {
      const sandbox = newSandbox();
      const profile = await store.profiles.create(sandbox, {
        identities: [email('ada@example.com')],
        consents: { marketing: { email: 'y', sms: 'y' } },
      });

      expect(await store.profiles.withdrawMarketingConsent(sandbox, profile.id, 'email')).toBe(true);
      const withdrawn = await store.profiles.get(sandbox, profile.id);
      expect(withdrawn?.consents).toEqual({ marketing: { email: 'n', sms: 'y' } });
      expect(Date.parse(withdrawn?.updatedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(profile.updatedAt));

      expect(await store.profiles.withdrawMarketingConsent(sandbox, profile.id, 'email')).toBe(true);
      expect(await store.profiles.get(sandbox, profile.id)).toEqual(withdrawn);
    });

    test('withdraws a consent the profile never gave', async () => {
      const sandbox = newSandbox();
      const profile = await store.profiles.create(sandbox, { identities: [email('ada@example.com')] });

      expect(await store.profiles.withdrawMarketingConsent(sandbox, profile.id, 'sms')).toBe(true);

      expect((await store.profiles.get(sandbox, profile.id))?.consents).toEqual({ marketing: { sms: 'n' } });
    });

    test('answers false for a profile unknown in that sandbox', async () => {
      const sandbox = newSandbox();
      const profile = await store.profiles.create(sandbox, { identities: [email('ada@example.com')] });

      expect(await store.profiles.withdrawMarketingConsent(sandbox, newId(), 'email')).toBe(false);
      expect(await store.profiles.withdrawMarketingConsent(newSandbox(), profile.id, 'email')).toBe(false);
      expect((await store.profiles.get(sandbox, profile.id))?.consents).toEqual({ marketing: {} });
    });
  });
}
