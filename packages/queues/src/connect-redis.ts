import type { Redis } from 'ioredis';
import type { Logger } from '@herald/logger';
import { checkEvictionPolicy } from './eviction-policy';
import { createRedisConnection, waitForRedis, type RedisRole } from './redis-connection';
import { registerScripts } from './redis-scripts';

export interface ConnectRedisOptions {
  role: RedisRole;
  connectionName: string;
  logger: Logger;
  /** How long to wait for the first answer before giving up. */
  timeoutMs?: number;
}

/**
 * Opens the connection a service runs on, with Herald's scripts defined on it (`registerScripts`),
 * waits until Redis answers, and warns when Redis may evict keys (queued jobs would vanish under
 * memory pressure). Rejects, with the connection closed, when Redis does not answer in time.
 */
export async function connectRedis(url: string, options: ConnectRedisOptions): Promise<Redis> {
  const { logger } = options;
  const redis = createRedisConnection(url, {
    role: options.role,
    connectionName: options.connectionName,
    onError: (error) => logger.warn({ err: error.message }, 'redis connection error'),
  });
  registerScripts(redis);
  try {
    await waitForRedis(redis, options.timeoutMs ?? 10_000);
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  const eviction = await checkEvictionPolicy(redis);
  if (!eviction.safe) {
    logger.warn(
      { policy: eviction.policy },
      'Redis maxmemory-policy is not noeviction: under memory pressure Redis may delete queued jobs',
    );
  }
  return redis;
}
