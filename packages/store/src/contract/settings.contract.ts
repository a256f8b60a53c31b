import type { SandboxSettingsInput } from '@herald/contracts';
import type { Store } from '../ports';
import { email, ISO_TIMESTAMP, newSandbox } from './store.fixture';

const QUIET_HOURS = {
  start: '21:00',
  end: '08:00',
  weekdays: [1, 2, 3, 4, 5],
  timezone: 'Europe/Paris',
  action: 'defer' as const,
};

const SUBSCRIPTION_1 = { endpoint: 'https://push.example.com/1', keys: { p256dh: 'p1', auth: 'a1' } };
const SUBSCRIPTION_2 = {
  endpoint: 'https://push.example.com/2',
  keys: { p256dh: 'p2', auth: 'a2' },
  appId: 'app',
};

/** Sandbox delivery settings, and the profile clean-up the push channel does. */
export function describeSettingsContract(stores: () => Store): void {
  let store: Store;
  beforeAll(() => {
    store = stores();
  });

  describe('sandbox settings', () => {
    test('has no settings for a sandbox that never stored any', async () => {
      expect(await store.settings.get(newSandbox())).toBeNull();
    });

    test('stores settings and reads them back', async () => {
      const sandbox = newSandbox();
      const input: SandboxSettingsInput = {
        frequencyCaps: { email: { max: 3, periodSeconds: 86_400 }, sms: { max: 1, periodSeconds: 3600 } },
        quietHours: QUIET_HOURS,
      };

      const stored = await store.settings.put(sandbox, input);

      expect(stored).toEqual({ sandbox, ...input, updatedAt: expect.stringMatching(ISO_TIMESTAMP) });
      expect(await store.settings.get(sandbox)).toEqual(stored);
      expect(await store.settings.get(newSandbox())).toBeNull();
    });

    test('replaces the settings whole, dropping what the new ones leave out', async () => {
      const sandbox = newSandbox();
      const first = await store.settings.put(sandbox, {
        frequencyCaps: { email: { max: 3, periodSeconds: 86_400 } },
        quietHours: QUIET_HOURS,
      });

      const second = await store.settings.put(sandbox, {
        frequencyCaps: { push: { max: 5, periodSeconds: 600 } },
      });

      expect(second).toEqual({
        sandbox,
        frequencyCaps: { push: { max: 5, periodSeconds: 600 } },
        updatedAt: expect.stringMatching(ISO_TIMESTAMP),
      });
      expect(second.updatedAt >= first.updatedAt).toBe(true);
      expect(await store.settings.get(sandbox)).toEqual(second);
    });
  });

  describe('push subscriptions', () => {
    test('removes the subscription with the given endpoint and keeps the others', async () => {
      const sandbox = newSandbox();
      const profile = await store.profiles.create(sandbox, {
        identities: [email('ada@example.com')],
        pushSubscriptions: [SUBSCRIPTION_1, SUBSCRIPTION_2],
      });

      expect(await store.profiles.removePushSubscription(sandbox, profile.id, SUBSCRIPTION_1.endpoint)).toBe(
        true,
      );

      const after = await store.profiles.get(sandbox, profile.id);
      expect(after?.pushSubscriptions).toEqual([SUBSCRIPTION_2]);
      expect(after?.identities).toEqual(profile.identities);
      expect(await store.profiles.removePushSubscription(sandbox, profile.id, SUBSCRIPTION_2.endpoint)).toBe(
        true,
      );
      expect((await store.profiles.get(sandbox, profile.id))?.pushSubscriptions).toEqual([]);
    });

    test('reports false when the endpoint, the profile or the sandbox does not match', async () => {
      const sandbox = newSandbox();
      const profile = await store.profiles.create(sandbox, {
        identities: [email('ada@example.com')],
        pushSubscriptions: [SUBSCRIPTION_1],
      });

      expect(
        await store.profiles.removePushSubscription(sandbox, profile.id, 'https://push.example.com/x'),
      ).toBe(false);
      expect(
        await store.profiles.removePushSubscription(sandbox, 'no-such-profile', SUBSCRIPTION_1.endpoint),
      ).toBe(false);
      expect(
        await store.profiles.removePushSubscription(newSandbox(), profile.id, SUBSCRIPTION_1.endpoint),
      ).toBe(false);
      expect(await store.profiles.get(sandbox, profile.id)).toEqual(profile);
    });
  });
}
