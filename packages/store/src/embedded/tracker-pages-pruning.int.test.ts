import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { newId } from '@herald/contracts';
import { openEmbeddedStore } from './embedded-store';

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-tracker-pages-'));
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

/** Reads behind the store's back: `get` hides an expired row whether or not it was removed. */
function column(file: string, sql: string): unknown[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).pluck().all();
  } finally {
    db.close();
  }
}

describe('embedded store pruning of what the tracker serves', () => {
  test('removes the mirror pages and short links expired by the time the store opens, and keeps the others', async () => {
    const file = path.join(workDir, `${newId()}.sqlite`);
    const store = await openEmbeddedStore({ path: file });
    const gone = new Date(Date.now() - 1000).toISOString();
    const live = '2099-01-01T00:00:00.000Z';
    const page = { sandbox: 'prod', subject: 'Sale', html: '<p>Sale</p>' };
    await store.mirrorPages.put({ ...page, deliveryId: 'gone', expiresAt: gone });
    await store.mirrorPages.put({ ...page, deliveryId: 'live', expiresAt: live });
    const link = { sandbox: 'prod', token: 'token' };
    await store.shortLinks.insertMany([
      { ...link, code: 'gone000000', expiresAt: gone },
      { ...link, code: 'live000000', expiresAt: live },
    ]);
    await store.close();

    const reopened = await openEmbeddedStore({ path: file });
    await reopened.close();

    expect(column(file, `SELECT delivery_id FROM mirror_pages ORDER BY delivery_id`)).toEqual(['live']);
    expect(column(file, `SELECT code FROM short_links ORDER BY code`)).toEqual(['live000000']);
  });
});
