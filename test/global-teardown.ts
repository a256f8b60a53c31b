import { countKeys, keyGroups, testRedisUrl, waitFor } from '@herald/testing';
import { KEYS_BEFORE } from './global-setup';

/**
 * Fails the run when REDIS_URL holds more keys than before it: every test file removes its
 * keys when it ends (test/support/redis-cleanup-environment.ts), so growth means a test wrote
 * keys outside the prefixes it was handed. Another run against the same Redis at the same time
 * shows up here too, so outside CI (`CI` set, as .ci/run does) it only warns.
 */
export default async function globalTeardown(): Promise<void> {
  const before = (globalThis as Record<string, unknown>)[KEYS_BEFORE];
  if (typeof before !== 'number') return;
  const redisUrl = testRedisUrl(process.env);
  // A process stopped a moment ago may still be closing its connections: give it a few seconds.
  const after = await waitFor(
    async () => {
      const count = await countKeys(redisUrl);
      return count <= before ? count : undefined;
    },
    { timeoutMs: 5_000, description: 'the keys of the test run to be removed' },
  ).catch(() => countKeys(redisUrl));
  if (after > before) {
    const groups = await keyGroups(redisUrl);
    const message =
      `The tests left ${after - before} keys in Redis (${before} before the run, ${after} after).\n` +
      `Key groups now in Redis:\n${groups.map(([group, count]) => `  ${count}\t${group}`).join('\n')}`;
    if (process.env.CI) throw new Error(message);
    console.warn(`\n!!! ${message}\n`);
  }
}
