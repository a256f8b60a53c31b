import { Redis } from 'ioredis';

/**
 * Removes every key that contains one of `prefixes` (SCAN + UNLINK, so a big test never blocks
 * Redis) and answers how many were removed. Matching anywhere in the name also catches keys
 * whose prefix sits inside a cluster hash tag (`{prefix}:…`).
 */
export async function removeKeysUnder(redisUrl: string, prefixes: readonly string[]): Promise<number> {
  if (prefixes.length === 0) return 0;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  let removed = 0;
  try {
    await redis.connect();
    for (const prefix of prefixes) {
      for await (const batch of redis.scanStream({ match: `*${prefix}*`, count: 1000 })) {
        const keys = batch as string[];
        if (keys.length > 0) removed += await redis.unlink(...keys);
      }
    }
  } finally {
    redis.disconnect();
  }
  return removed;
}

/** How many keys the Redis at `redisUrl` holds. */
export async function countKeys(redisUrl: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    return await redis.dbsize();
  } finally {
    redis.disconnect();
  }
}

/** The key groups (a name up to its first `:`) in the Redis at `redisUrl`, largest first. */
export async function keyGroups(redisUrl: string, limit = 20): Promise<Array<[string, number]>> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  const groups = new Map<string, number>();
  try {
    await redis.connect();
    for await (const batch of redis.scanStream({ count: 1000 })) {
      for (const key of batch as string[]) {
        const group = key.split(':')[0] ?? key;
        groups.set(group, (groups.get(group) ?? 0) + 1);
      }
    }
  } finally {
    redis.disconnect();
  }
  return [...groups].sort((a, b) => b[1] - a[1]).slice(0, limit);
}
