import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { TooManyRequestsError } from '@herald/errors';
import type { Logger } from '@herald/logger';
import { RedisKeys, scriptsOf, type RateLimitScope } from '@herald/queues';
import { principalOf } from '../auth/principal';

export interface ApiKeyRateLimitOptions {
  redis: Redis;
  /** Key prefix shared by every API process of one deployment (the queue prefix). */
  prefix: string;
  /** Calls per second and per key; 0 turns the limit off. */
  limitPerSecond: number;
  /** The routes counted together; each scope is a separate budget. */
  scope: RateLimitScope;
  logger: Logger;
}

const WINDOW_MS = 1000;

/** A counter that has not answered by then is treated as down: the limit must never slow calls. */
const COUNTER_DEADLINE_MS = 200;

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`rate-limit counter did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Per-API-key call rate, counted in Redis so every API process shares one budget per key: a fixed
 * one-second window, one round trip (`heraldRateLimitCount`). When Redis cannot answer the call goes
 * through: the queue write that follows fails fast with 503 anyway, and refusing
 * traffic because the counter is unreachable would turn a Redis hiccup into a full outage.
 */
export function apiKeyRateLimit(options: ApiKeyRateLimitOptions): RequestHandler {
  const { limitPerSecond, logger } = options;
  const scripts = scriptsOf(options.redis);
  const keys = new RedisKeys(options.prefix);
  let counterDown = false;
  return (req, _res, next) => {
    const principal = principalOf(req);
    if (limitPerSecond === 0 || !principal) {
      next();
      return;
    }
    const now = Date.now();
    const window = Math.floor(now / WINDOW_MS);
    const key = keys.rateLimit(principal.keyId, window, options.scope);
    // Two windows, so a clock skew between API processes never drops a live counter.
    withDeadline(scripts.heraldRateLimitCount(key, 2 * WINDOW_MS), COUNTER_DEADLINE_MS)
      .then((count) => {
        counterDown = false;
        if (count > limitPerSecond) {
          const untilNextWindow = (window + 1) * WINDOW_MS - now;
          next(
            new TooManyRequestsError(
              'rate-limited',
              `API key ${principal.keyId} is limited to ${limitPerSecond} ${options.scope} calls per second`,
              Math.max(1, Math.ceil(untilNextWindow / 1000)),
            ),
          );
          return;
        }
        next();
      })
      .catch((error: unknown) => {
        if (!counterDown)
          logger.warn({ err: error }, 'rate-limit counter unavailable; calls are let through');
        counterDown = true;
        next();
      });
  };
}
