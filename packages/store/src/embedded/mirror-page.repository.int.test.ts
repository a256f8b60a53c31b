import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { newId } from '@herald/contracts';
import { openEmbeddedStore } from './embedded-store';

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-mirror-pages-'));
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

describe('embedded mirror pages', () => {
  test('removes the pages expired by the time the store opens, and keeps the others', async () => {
    const file = path.join(workDir, `${newId()}.sqlite`);
    const store = await openEmbeddedStore({ path: file });
    const page = { sandbox: 'prod', subject: 'Sale', html: '<p>Sale</p>' };
    await store.mirrorPages.put({
      ...page,
      deliveryId: 'gone',
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    await store.mirrorPages.put({ ...page, deliveryId: 'live', expiresAt: '2099-01-01T00:00:00.000Z' });
    await store.close();

    const reopened = await openEmbeddedStore({ path: file });
    await reopened.close();

    // Read behind the store's back: `get` hides an expired page whether or not it was removed.
    const db = new Database(file, { readonly: true });
    try {
      const stored = db.prepare(`SELECT delivery_id FROM mirror_pages ORDER BY delivery_id`).pluck().all();
      expect(stored).toEqual(['live']);
    } finally {
      db.close();
    }
  });
});
