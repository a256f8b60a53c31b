import { PermanentDeliveryError, TransientDeliveryError } from '@herald/errors';

/** A provider asking for more than this is treated as asking for this: jobs must not sleep for days. */
const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/** Error codes (Node's `error.code`) that mean the provider could not be reached or answered too late. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/**
 * Milliseconds to wait from a `Retry-After` header: delta-seconds or an HTTP-date (RFC 9110
 * §10.2.3). Undefined when absent or unreadable; capped at one hour; never negative.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    ms = Math.round(Number(trimmed) * 1000);
  } else {
    // An HTTP-date always names its weekday and month; this keeps Date.parse from reading "-5" as a year.
    if (!/[A-Za-z]{3}/.test(trimmed)) return undefined;
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

/**
 * Classifies a provider's HTTP error status. `detail` is the provider's own short reason (an
 * error code or message); callers must never pass recipient addresses or message bodies.
 */
export function errorForHttpStatus(
  provider: string,
  status: number,
  options: { retryAfter?: string | null; detail?: string } = {},
): TransientDeliveryError | PermanentDeliveryError {
  const suffix = options.detail ? `: ${options.detail}` : '';
  if (status === 429) {
    return new TransientDeliveryError(
      'provider-throttled',
      `${provider} throttled the request (HTTP 429)${suffix}`,
      { retryAfterMs: parseRetryAfter(options.retryAfter) },
    );
  }
  if (status >= 500 || status === 408) {
    return new TransientDeliveryError(
      'provider-unavailable',
      `${provider} is unavailable (HTTP ${status})${suffix}`,
      { retryAfterMs: parseRetryAfter(options.retryAfter) },
    );
  }
  if (status === 401 || status === 403) {
    return new PermanentDeliveryError(
      'provider-auth-failed',
      `${provider} refused the credentials (HTTP ${status})${suffix}`,
    );
  }
  if (status >= 400) {
    return new PermanentDeliveryError(
      'provider-rejected',
      `${provider} rejected the message (HTTP ${status})${suffix}`,
    );
  }
  // A 1xx/2xx/3xx reaching here is a response the adapter could not use: worth another try.
  return new TransientDeliveryError(
    'provider-unavailable',
    `${provider} gave an unexpected answer (HTTP ${status})${suffix}`,
  );
}

/** Classifies a failure to reach the provider at all (refused, reset, timed out): always transient. */
export function errorForNetworkFailure(provider: string, error: unknown): TransientDeliveryError {
  return new TransientDeliveryError(
    'provider-unreachable',
    `${provider} could not be reached: ${describeNetworkError(error)}`,
    { cause: error },
  );
}

/** True when `error` looks like a connection-level failure rather than an answer from the provider. */
export function isNetworkFailure(error: unknown): boolean {
  const code = errorCode(error);
  if (code !== undefined && NETWORK_ERROR_CODES.has(code)) return true;
  if (error instanceof Error) {
    if (error.name === 'AbortError' || error.name === 'TimeoutError') return true;
    return /socket hang up|timeout|timed out|network|ECONN/i.test(error.message);
  }
  return false;
}

function describeNetworkError(error: unknown): string {
  const code = errorCode(error);
  if (error instanceof Error) {
    return code && !error.message.includes(code) ? `${code} ${error.message}` : error.message;
  }
  return code ?? 'unknown error';
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error ? errorCode(cause) : undefined;
}

/**
 * An error raised by the system or the HTTP stack rather than by an SDK's own checks: it carries
 * a string `code` (EMFILE, CERT_HAS_EXPIRED, ERR_STREAM_PREMATURE_CLOSE, …) or comes from axios.
 * Such failures say nothing about the message, so they are retried, never dead-lettered at once.
 */
export function isSystemError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { code?: unknown; isAxiosError?: unknown; cause?: unknown };
  if (typeof candidate.code === 'string' || candidate.isAxiosError === true) return true;
  return candidate.cause !== undefined && candidate.cause !== error && isSystemError(candidate.cause);
}

/**
 * A failure that is not an HTTP answer: a network or system error is retried; anything else is
 * the SDK refusing the message before sending it, which it will do on every retry.
 */
export function errorForSdkFailure(
  provider: string,
  error: unknown,
): TransientDeliveryError | PermanentDeliveryError {
  if (isNetworkFailure(error) || isSystemError(error)) return errorForNetworkFailure(provider, error);
  return new PermanentDeliveryError(
    'invalid-message',
    `${provider} SDK refused the message: ${error instanceof Error ? error.message : String(error)}`,
  );
}
