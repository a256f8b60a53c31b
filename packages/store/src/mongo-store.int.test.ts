import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expectOneProfilePerIdentityAcrossProcesses } from './concurrent-upsert.fixture';
import { openStore } from './open-store';
import type { Store } from './ports';
import { describeAudienceContract } from './audience.contract';
import { describeStoreContract } from './store.contract';

const MONGODB_URL = process.env.MONGODB_URL;

if (MONGODB_URL) {
  const url = MONGODB_URL;
  describeStoreContract('mongodb', () => openStore({ url }));
  describeAudienceContract('mongodb', () => openStore({ url }));

  describe('mongodb store', () => {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-store-'));
    let store: Store;

    beforeAll(async () => {
      store = await openStore({ url });
    });

    afterAll(async () => {
      await store?.close();
      fs.rmSync(workDir, { recursive: true, force: true });
    });

    test('two processes upserting the same identities at once end with one profile per identity', async () => {
      await expectOneProfilePerIdentityAcrossProcesses({ storeUrl: url, store, workDir });
    }, 120_000);
  });
} else {
  // Waits for a MongoDB: none can run on the development machines (no Docker engine, no mongod
  // package); the GitHub workflow sets MONGODB_URL, so the suite runs there. Reported as skipped,
  // never as passed.
  console.warn(
    'MongoDB store contract suite SKIPPED: MONGODB_URL is not set (run docker compose up -d mongo and set ' +
      'MONGODB_URL=mongodb://127.0.0.1:27017/herald-test?replicaSet=rs0&directConnection=true)',
  );
  test.skip('MongoDB store contract suite (set MONGODB_URL to run it)', () => undefined);
}
