import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** Where globalSetup leaves the key count of REDIS_URL for globalTeardown (they share a process). */
export const KEYS_BEFORE = '__heraldRedisKeysBefore';

/**
 * Builds the workspace (incremental, a no-op when current) so spawned services run this code,
 * and notes how many keys REDIS_URL holds, which test/global-teardown.ts checks again.
 */
export default async function globalSetup(): Promise<void> {
  const root = path.resolve(__dirname, '..');
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-b'], {
    cwd: root,
    stdio: 'inherit',
  });
  // Imported once built: jest loads this file without its module mapping, so from dist/.
  const { countKeys, testRedisUrl } = await import('@herald/testing');
  (globalThis as Record<string, unknown>)[KEYS_BEFORE] = await countKeys(testRedisUrl(process.env));
}
