import { ServiceUnavailableError } from '@herald/errors';

/** Seconds a caller should wait before retrying while Redis refuses a command. */
const RETRY_AFTER_SECONDS = 2;

/**
 * The errors of redis-errors (ReplyError, AbortError, ioredis' MaxRetriesPerRequestError…) share
 * the base class RedisError, and BullMQ's own is ConnectionClosedError: matched by name, since
 * several copies of these packages may be installed.
 */
const REDIS_ERROR_CLASSES: ReadonlySet<string> = new Set(['RedisError', 'ConnectionClosedError']);

/** What ioredis rejects a command with, as a plain Error, while it has no usable connection. */
const CONNECTION_MESSAGES: ReadonlySet<string> = new Set([
  'Connection is closed.',
  "Stream isn't writeable and enableOfflineQueue options is false",
  'Command timed out',
]);

/** Socket errors of a connection to Redis. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Whether a failed queue or idempotency command failed in Redis or on the way to it, so that the
 * same call may succeed later. Anything else (a RangeError while BullMQ serialises a job, a job
 * option BullMQ refuses) is a bug or bad input that a retry would only repeat.
 */
export function isRedisFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (CONNECTION_MESSAGES.has(error.message)) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  let proto = Object.getPrototypeOf(error) as { constructor: { name: string } } | null;
  while (proto !== null && proto !== Error.prototype) {
    if (REDIS_ERROR_CLASSES.has(proto.constructor.name)) return true;
    proto = Object.getPrototypeOf(proto) as typeof proto;
  }
  return false;
}

/**
 * What a failed Redis command throws: the 503 of a Redis failure (nothing was queued, and the same
 * call may be retried), or the error itself otherwise, which answers 500 and is logged: a
 * deterministic failure reported as an outage would have callers retry it for ever.
 */
export function queueUnavailable(cause: unknown): Error {
  if (!isRedisFailure(cause)) {
    return cause instanceof Error ? cause : new Error('a queue command failed', { cause });
  }
  return new ServiceUnavailableError(
    'queue-unavailable',
    'The queue is unavailable; retry later.',
    RETRY_AFTER_SECONDS,
    { cause },
  );
}
