import { ServiceUnavailableError } from '@herald/errors';

/** Seconds a caller should wait before retrying while Redis refuses a command. */
const RETRY_AFTER_SECONDS = 2;

/** The 503 of a Redis command that failed: nothing was queued, and the same call may be retried. */
export function queueUnavailable(cause: unknown): ServiceUnavailableError {
  return new ServiceUnavailableError(
    'queue-unavailable',
    'The queue is unavailable; retry later.',
    RETRY_AFTER_SECONDS,
    { cause },
  );
}
