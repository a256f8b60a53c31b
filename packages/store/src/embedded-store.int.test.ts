import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { newId } from '@herald/contracts';
import { expectOneProfilePerIdentityAcrossProcesses } from './concurrent-upsert.fixture';
import { openEmbeddedStore } from './embedded/embedded-store';
import { describeAudienceContract } from './audience.contract';
import { describeStoreContract } from './store.contract';

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-store-'));
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

function freshFile(): string {
  return path.join(workDir, `${newId()}.sqlite`);
}

describeStoreContract('embedded', () => openEmbeddedStore({ path: freshFile() }));
describeAudienceContract('embedded', () => openEmbeddedStore({ path: freshFile() }));

describe('embedded store', () => {
  test('keeps its file in WAL mode', async () => {
    const file = freshFile();
    const store = await openEmbeddedStore({ path: file });
    try {
      const db = new Database(file, { readonly: true });
      try {
        expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
        expect(db.pragma('user_version', { simple: true })).toBeGreaterThan(0);
      } finally {
        db.close();
      }
    } finally {
      await store.close();
    }
  });

  test('creates the folder of its file when missing', async () => {
    const file = path.join(workDir, newId(), 'nested', 'herald.sqlite');
    const store = await openEmbeddedStore({ path: file });
    await store.close();
    expect(fs.existsSync(file)).toBe(true);
  });

  test('keeps its data across close and reopen', async () => {
    const file = freshFile();
    const first = await openEmbeddedStore({ path: file });
    const campaign = await first.campaigns.create({
      sandbox: 'prod',
      definition: {
        name: 'Welcome',
        type: 'marketing',
        channel: 'email',
        channelConfig: { email: { fromAddress: 'hello@example.com' } },
        content: { defaultLocale: 'en', locales: { en: { subject: 'Hi', text: 'Hi' } } },
        contextSchema: { type: 'object' },
        identityNamespace: 'email',
        createProfiles: false,
      },
    });
    const profile = await first.profiles.create('prod', {
      identities: [{ namespace: 'email', id: 'a@example.com' }],
    });
    await first.close();

    const second = await openEmbeddedStore({ path: file });
    try {
      expect(await second.campaigns.get('prod', campaign.id)).toEqual(campaign);
      expect(
        await second.profiles.findByIdentity('prod', { namespace: 'email', id: 'a@example.com' }),
      ).toEqual(profile);
    } finally {
      await second.close();
    }
  });

  test('prunes deliveries older than the retention period when it opens', async () => {
    const file = freshFile();
    const store = await openEmbeddedStore({ path: file });
    const key = (id: string) => ({
      id,
      sandbox: 'prod',
      executionId: 'e-1',
      campaignId: 'c-1',
      campaignVersion: 1,
      recipientIndex: 0,
      channel: 'email' as const,
    });
    await store.deliveries.record(key('old'), { event: { status: 'queued', at: new Date().toISOString() } });
    await store.deliveries.record(key('recent'), {
      event: { status: 'queued', at: new Date().toISOString() },
    });
    await store.close();
    // Ages one record behind the store's back: the repository offers no way to backdate.
    const db = new Database(file);
    db.prepare(`UPDATE deliveries SET created_at = ? WHERE id = 'old'`).run(
      new Date(Date.now() - 31 * 24 * 3600 * 1000).toISOString(),
    );
    db.close();

    const reopened = await openEmbeddedStore({ path: file, deliveryRetentionDays: 30 });
    try {
      expect(await reopened.deliveries.get('prod', 'old')).toBeNull();
      expect(await reopened.deliveries.get('prod', 'recent')).not.toBeNull();
    } finally {
      await reopened.close();
    }
  });

  test('refuses a retention period that would prune every delivery', async () => {
    await expect(openEmbeddedStore({ path: freshFile(), deliveryRetentionDays: 0 })).rejects.toThrow(
      RangeError,
    );
  });

  test('two processes upserting the same identities at once end with one profile per identity', async () => {
    const file = freshFile();
    const store = await openEmbeddedStore({ path: file });
    try {
      await expectOneProfilePerIdentityAcrossProcesses({ storeUrl: file, store, workDir });
    } finally {
      await store.close();
    }
  }, 120_000);
});
