import { randomBytes } from 'node:crypto';

/** The environment of the test process, which tests pass in (helpers never read it themselves). */
export type ParentEnvironment = Readonly<Record<string, string | undefined>>;

/** Redis the tests use: `REDIS_URL` when set (CI starts one), else the local default. */
export function testRedisUrl(parent: ParentEnvironment): string {
  return parent.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** A queue prefix no other test file uses, so test files never see each other's jobs. */
export function uniqueQueuePrefix(name: string): string {
  return `test-${name}-${randomBytes(4).toString('hex')}`;
}
