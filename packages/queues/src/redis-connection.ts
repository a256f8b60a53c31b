import { Redis } from 'ioredis';

export type RedisRole =
  /** Producers (the API): a command fails at once while Redis is down instead of waiting in memory. */
  | 'producer'
  /** BullMQ workers: blocking commands must wait for Redis indefinitely (BullMQ requires it). */
  | 'worker';

export interface RedisConnectionOptions {
  role: RedisRole;
  /** Called on connection errors; ioredis emits them on every failed reconnect. */
  onError?: (error: Error) => void;
  connectionName?: string;
}

export function createRedisConnection(url: string, options: RedisConnectionOptions): Redis {
  const producer = options.role === 'producer';
  const redis = new Redis(url, {
    maxRetriesPerRequest: producer ? 1 : null,
    enableOfflineQueue: !producer,
    // A Redis that accepts connections but does not answer must not hang API calls either.
    ...(producer ? { commandTimeout: 5000 } : {}),
    connectionName: options.connectionName,
    // Keep reconnecting, but no faster than every 2 s, so a Redis outage does not become a CPU spin.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    lazyConnect: false,
  });
  redis.on('error', (error: Error) => options.onError?.(error));
  return redis;
}

/** Resolves once the connection is ready, or rejects after `timeoutMs`. */
export async function waitForRedis(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`Redis did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}
