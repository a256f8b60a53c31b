import { randomBytes } from 'node:crypto';

/** The environment of the test process, which tests pass in (helpers never read it themselves). */
export type ParentEnvironment = Readonly<Record<string, string | undefined>>;

/** Redis the tests use: `REDIS_URL` when set (CI starts one), else the local default. */
export function testRedisUrl(parent: ParentEnvironment): string {
  return parent.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/**
 * The global (of the test file's sandbox) where `uniqueQueuePrefix` notes each prefix it hands
 * out; the integration tests' environment reads it when the file ends and removes those keys.
 */
export const HANDED_OUT_PREFIXES = '__heraldHandedOutQueuePrefixes';

/** The prefixes `uniqueQueuePrefix` handed out in the test file running in `sandbox`. */
export function handedOutPrefixes(sandbox: object): string[] {
  const holder = sandbox as Record<string, unknown>;
  const existing = holder[HANDED_OUT_PREFIXES];
  if (Array.isArray(existing)) return existing as string[];
  const created: string[] = [];
  holder[HANDED_OUT_PREFIXES] = created;
  return created;
}

/**
 * A queue prefix no other test file uses, so test files never see each other's jobs. Every
 * key Herald writes (queues, counters, idempotency records, rate limits) lives under it, and
 * the keys are removed when the test file ends (see test/support/redis-cleanup-environment.ts).
 */
export function uniqueQueuePrefix(name: string): string {
  const prefix = `test-${name}-${randomBytes(4).toString('hex')}`;
  handedOutPrefixes(globalThis).push(prefix);
  return prefix;
}
