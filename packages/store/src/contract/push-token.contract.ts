import type { PushToken } from '@herald/contracts';
import type { Store } from '../ports';
import { crm, email, newSandbox } from './store.fixture';

const IPHONE: PushToken = { appId: 'com.example.shop', platform: 'apns', token: 'ab'.repeat(32) };
const TEST_IPHONE: PushToken = { appId: 'com.example.shop', platform: 'apnsSandbox', token: 'ab'.repeat(32) };
const ANDROID: PushToken = { appId: '1:1042:android:7b1e', platform: 'fcm', token: 'fcm:APA91bH-1' };

/** Mobile device tokens on profiles: stored, kept or replaced by upserts, removed one by one. */
export function describePushTokenContract(stores: () => Store): void {
  let store: Store;
  beforeAll(() => {
    store = stores();
  });

  describe('push tokens', () => {
    test('a profile has no device token unless given, and keeps the ones given in order', async () => {
      const sandbox = newSandbox();
      const bare = await store.profiles.create(sandbox, { identities: [email('ada@example.com')] });
      expect(bare.pushTokens).toEqual([]);

      const profile = await store.profiles.create(sandbox, {
        identities: [crm('42')],
        pushTokens: [IPHONE, ANDROID],
      });
      expect(profile.pushTokens).toEqual([IPHONE, ANDROID]);
      expect((await store.profiles.get(sandbox, profile.id))?.pushTokens).toEqual([IPHONE, ANDROID]);
    });

    test('an upsert without tokens keeps them; one with tokens replaces them whole', async () => {
      const sandbox = newSandbox();
      const original = await store.profiles.create(sandbox, {
        identities: [email('ada@example.com')],
        pushTokens: [IPHONE],
      });

      const kept = await store.profiles.upsert(sandbox, { identities: [email('ada@example.com')] });
      expect(kept.profile.pushTokens).toEqual([IPHONE]);

      const replaced = await store.profiles.upsert(sandbox, {
        identities: [email('ada@example.com')],
        pushTokens: [ANDROID],
      });
      expect(replaced.profile.pushTokens).toEqual([ANDROID]);
      expect((await store.profiles.get(sandbox, original.id))?.pushTokens).toEqual([ANDROID]);
    });

    test('removes the token of that app and platform only, and keeps the others', async () => {
      const sandbox = newSandbox();
      const profile = await store.profiles.create(sandbox, {
        identities: [email('ada@example.com')],
        pushSubscriptions: [{ endpoint: 'https://push.example.com/1', keys: { p256dh: 'p', auth: 'a' } }],
        pushTokens: [IPHONE, TEST_IPHONE, ANDROID],
      });

      expect(await store.profiles.removePushToken(sandbox, profile.id, IPHONE)).toBe(true);

      const after = await store.profiles.get(sandbox, profile.id);
      expect(after?.pushTokens).toEqual([TEST_IPHONE, ANDROID]);
      expect(after?.pushSubscriptions).toEqual(profile.pushSubscriptions);
      expect(await store.profiles.removePushToken(sandbox, profile.id, IPHONE)).toBe(false);
    });

    test('reports false and changes nothing when the token, the profile or the sandbox does not match', async () => {
      const sandbox = newSandbox();
      const profile = await store.profiles.create(sandbox, {
        identities: [email('ada@example.com')],
        pushTokens: [ANDROID],
      });

      expect(await store.profiles.removePushToken(sandbox, profile.id, { ...ANDROID, appId: 'other' })).toBe(
        false,
      );
      expect(await store.profiles.removePushToken(sandbox, 'no-such-profile', ANDROID)).toBe(false);
      expect(await store.profiles.removePushToken(newSandbox(), profile.id, ANDROID)).toBe(false);
      expect(await store.profiles.get(sandbox, profile.id)).toEqual(profile);
    });
  });
}
