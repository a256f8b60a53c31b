import type { Store } from '../ports';
import { randomHash, readAllPages } from './store.fixture';

/** The campaign access labels an API key or credential holds come back as stored, on every read. */
export function describeAccessLabelsContract(stores: () => Store): void {
  let store: Store;
  beforeAll(() => {
    store = stores();
  });

  describe('access labels of API keys and credentials', () => {
    test('an API key keeps its labels, found by hash and listed', async () => {
      const hash = randomHash();

      const key = await store.apiKeys.create({
        name: 'eu team',
        hash,
        sandboxes: ['prod'],
        roles: ['manage'],
        labels: ['eu', 'finance'],
      });

      expect(key.labels).toEqual(['eu', 'finance']);
      expect((await store.apiKeys.findByHash(hash))?.labels).toEqual(['eu', 'finance']);
      const { items } = await readAllPages((page) => store.apiKeys.list(page), 500);
      const listed = items.find((listedKey) => listedKey.id === key.id);
      expect(listed?.labels).toEqual(['eu', 'finance']);
    });

    test('an API key given no labels reads back without any', async () => {
      const hash = randomHash();

      await store.apiKeys.create({ name: 'plain', hash, sandboxes: ['prod'], roles: ['execute'] });

      expect(await store.apiKeys.findByHash(hash)).not.toHaveProperty('labels');
    });

    test('an API credential keeps its labels', async () => {
      const created = await store.apiCredentials.create({
        name: 'eu integration',
        clientId: randomHash().slice(0, 32),
        secretHash: randomHash(),
        orgId: 'HERALD@HeraldOrg',
        roles: ['execute'],
        sandboxes: ['prod'],
        labels: ['*'],
      });

      expect(created.labels).toEqual(['*']);
      expect((await store.apiCredentials.findActive(created.id))?.labels).toEqual(['*']);
      expect((await store.apiCredentials.findByClientId(created.clientId))?.labels).toEqual(['*']);
    });
  });
}
