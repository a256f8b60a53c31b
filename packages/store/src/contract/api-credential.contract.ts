import { newId } from '@herald/contracts';
import type { ApiCredential, NewApiCredential, Store } from '../ports';
import { ISO_TIMESTAMP, randomHash, readAllPages, rejection } from './store.fixture';

function newCredential(extra: Partial<NewApiCredential> = {}): NewApiCredential {
  return {
    name: 'shop backend',
    clientId: randomHash().slice(0, 32),
    secretHash: randomHash(),
    orgId: 'HERALD@HeraldOrg',
    roles: ['execute'],
    sandboxes: ['prod'],
    ...extra,
  };
}

/** OAuth client credentials: looked up by client id (token requests) and by id (token checks). */
export function describeApiCredentialContract(stores: () => Store): void {
  let store: Store;
  beforeAll(() => {
    store = stores();
  });

  describe('API credentials', () => {
    test('stores a credential and finds it by client id and by id', async () => {
      const input = newCredential({ roles: ['execute', 'manage'], sandboxes: ['prod', 'stage'] });

      const created = await store.apiCredentials.create(input);

      expect(created).toEqual({
        ...input,
        id: expect.any(String),
        createdAt: expect.stringMatching(ISO_TIMESTAMP),
      });
      expect(await store.apiCredentials.findByClientId(input.clientId)).toEqual(created);
      expect(await store.apiCredentials.findActive(created.id)).toEqual(created);
      expect(await store.apiCredentials.findByClientId(randomHash())).toBeNull();
      expect(await store.apiCredentials.findActive(newId())).toBeNull();
    });

    test('a revoked credential is no longer found, and is revoked only once', async () => {
      const created = await store.apiCredentials.create(newCredential());

      expect(await store.apiCredentials.revoke(created.id)).toBe(true);

      expect(await store.apiCredentials.findByClientId(created.clientId)).toBeNull();
      expect(await store.apiCredentials.findActive(created.id)).toBeNull();
      expect(await store.apiCredentials.revoke(created.id)).toBe(false);
      expect(await store.apiCredentials.revoke(newId())).toBe(false);
    });

    test('refuses a second credential with the same client id or id', async () => {
      const first = await store.apiCredentials.create(newCredential());

      const sameClient = await rejection(
        store.apiCredentials.create(newCredential({ clientId: first.clientId })),
      );
      const sameId = await rejection(store.apiCredentials.create(newCredential({ id: first.id })));

      expect(sameClient.code).toBe('api-credential-exists');
      expect(sameId.code).toBe('api-credential-exists');
      expect(await store.apiCredentials.findByClientId(first.clientId)).toEqual(first);
    });

    test('lists every credential in id order, revoked ones with their revocation time', async () => {
      const created: ApiCredential[] = [];
      for (let i = 0; i < 3; i += 1) created.push(await store.apiCredentials.create(newCredential()));
      await store.apiCredentials.revoke(created[1]!.id);

      const { items } = await readAllPages((page) => store.apiCredentials.list(page), 2);

      const ours = items.filter((item) => created.some((c) => c.id === item.id));
      expect(ours.map((item) => item.id)).toEqual(created.map((c) => c.id).sort());
      expect(ours[1]?.revokedAt).toMatch(ISO_TIMESTAMP);
      expect(ours[0]?.revokedAt).toBeUndefined();
      const ids = items.map((item) => item.id);
      expect(ids).toEqual([...ids].sort());
    });
  });
}
