import { randomBytes } from 'node:crypto';
import type { MirrorPage, ShortLink, Store } from '../ports';
import { newSandbox } from './store.fixture';

/** What the tracker reads besides tokens: the mirror pages of e-mail and the short links of SMS. */
export function describeTrackerPagesContract(stores: () => Store): void {
  let store: Store;
  beforeAll(() => {
    store = stores();
  });

  describe('mirror pages', () => {
    const page = (sandbox: string, fields: Partial<MirrorPage> = {}): MirrorPage => ({
      sandbox,
      deliveryId: 'd-1',
      subject: 'Spring sale',
      html: '<p>Hello Ada</p>',
      expiresAt: '2099-06-01T00:00:00.000Z',
      ...fields,
    });

    test('stores a page until it expires, per sandbox', async () => {
      const sandbox = newSandbox();
      await store.mirrorPages.put(page(sandbox));

      expect(await store.mirrorPages.get(sandbox, 'd-1', new Date('2099-05-31T23:59:59.999Z'))).toEqual(
        page(sandbox),
      );
      expect(await store.mirrorPages.get(sandbox, 'd-1', new Date('2099-06-01T00:00:00.000Z'))).toBeNull();
      expect(await store.mirrorPages.get(sandbox, 'd-2', new Date('2099-05-01T00:00:00.000Z'))).toBeNull();
      expect(
        await store.mirrorPages.get(newSandbox(), 'd-1', new Date('2099-05-01T00:00:00.000Z')),
      ).toBeNull();
    });

    test('a second put replaces the page of that delivery', async () => {
      const sandbox = newSandbox();
      await store.mirrorPages.put(page(sandbox));
      const replaced = page(sandbox, {
        subject: '',
        html: '<p>Hello again</p>',
        expiresAt: '2099-07-01T00:00:00.000Z',
      });

      await store.mirrorPages.put(replaced);

      expect(await store.mirrorPages.get(sandbox, 'd-1', new Date('2099-06-15T00:00:00.000Z'))).toEqual(
        replaced,
      );
    });

    test('a page already expired is not served, even before any clean-up ran', async () => {
      const sandbox = newSandbox();
      await store.mirrorPages.put(page(sandbox, { expiresAt: new Date(Date.now() - 60_000).toISOString() }));

      expect(await store.mirrorPages.get(sandbox, 'd-1')).toBeNull();
    });
  });

  describe('short links', () => {
    /** Codes unique to the run: the code space is shared by every sandbox (and every test). */
    const code = (): string => randomBytes(5).toString('hex');
    const link = (fields: Partial<ShortLink> = {}): ShortLink => ({
      code: code(),
      sandbox: newSandbox(),
      token: 'AQEC-signed-click-token',
      expiresAt: '2099-06-01T00:00:00.000Z',
      ...fields,
    });

    test('gives back a stored link until it expires', async () => {
      const stored = link();
      expect(await store.shortLinks.insertMany([stored])).toEqual([]);

      expect(await store.shortLinks.get(stored.code, new Date('2099-05-31T23:59:59.999Z'))).toEqual(stored);
      expect(await store.shortLinks.get(stored.code, new Date('2099-06-01T00:00:00.000Z'))).toBeNull();
      expect(await store.shortLinks.get(code(), new Date('2099-05-01T00:00:00.000Z'))).toBeNull();
    });

    test('never replaces a taken code: it is named, and the free ones of the batch are stored', async () => {
      const first = link();
      await store.shortLinks.insertMany([first]);
      const clash = link({ code: first.code, token: 'another-token' });
      const free = link();

      expect(await store.shortLinks.insertMany([clash, free])).toEqual([first.code]);

      expect(await store.shortLinks.get(first.code, new Date('2099-01-01T00:00:00.000Z'))).toEqual(first);
      expect(await store.shortLinks.get(free.code, new Date('2099-01-01T00:00:00.000Z'))).toEqual(free);
    });

    test('a link already expired is not served, even before any clean-up ran', async () => {
      const expired = link({ expiresAt: new Date(Date.now() - 60_000).toISOString() });
      await store.shortLinks.insertMany([expired]);

      expect(await store.shortLinks.get(expired.code)).toBeNull();
    });

    test('stores nothing of a batch with a bad timestamp', async () => {
      const good = link();
      await expect(
        store.shortLinks.insertMany([good, link({ expiresAt: 'next spring' })]),
      ).rejects.toMatchObject({ code: 'invalid-timestamp' });

      expect(await store.shortLinks.get(good.code, new Date('2099-01-01T00:00:00.000Z'))).toBeNull();
    });
  });
}
