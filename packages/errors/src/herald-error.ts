import type { ErrorCode, ErrorCodeWithStatus } from './error-codes';
import type { FieldError } from './field-error';

/**
 * Root of every error Herald raises on purpose. `code` is stable and machine-readable;
 * `status` is the HTTP status the API answers with when the error reaches a client.
 */
export abstract class HeraldError extends Error {
  abstract readonly code: ErrorCode;
  abstract readonly status: number;
  readonly errors: readonly FieldError[];

  constructor(message: string, errors: readonly FieldError[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.errors = errors;
  }
}

/** Input that breaks a schema or a rule: nothing was changed. */
export class ValidationError extends HeraldError {
  readonly status = 400;
  constructor(
    readonly code: ErrorCodeWithStatus<400>,
    message: string,
    errors: readonly FieldError[] = [],
  ) {
    super(message, errors);
  }
}

export class NotFoundError extends HeraldError {
  readonly status = 404;
  constructor(
    readonly code: ErrorCodeWithStatus<404>,
    message: string,
  ) {
    super(message);
  }
}

/** The request collides with existing state (duplicate identity, wrong lifecycle state). */
export class ConflictError extends HeraldError {
  readonly status = 409;
  constructor(
    readonly code: ErrorCodeWithStatus<409>,
    message: string,
    errors: readonly FieldError[] = [],
  ) {
    super(message, errors);
  }
}

/** Well-formed input that cannot be processed as it stands (e.g. a campaign that fails its checks). */
export class UnprocessableError extends HeraldError {
  readonly status = 422;
  constructor(
    readonly code: ErrorCodeWithStatus<422>,
    message: string,
    errors: readonly FieldError[] = [],
  ) {
    super(message, errors);
  }
}

export class PayloadTooLargeError extends HeraldError {
  readonly status = 413;
  readonly code = 'payload-too-large';
}

/** A dependency (Redis, the store) cannot be reached; the client should retry later. */
export class ServiceUnavailableError extends HeraldError {
  readonly status = 503;
  constructor(
    readonly code: ErrorCodeWithStatus<503>,
    message: string,
    readonly retryAfterSeconds = 1,
    options?: { cause?: unknown },
  ) {
    super(message, [], options);
  }
}

/** Invalid configuration: the process must not start. */
export class ConfigError extends HeraldError {
  readonly status = 500;
  readonly code = 'invalid-config';
}

/**
 * A delivery attempt failed in a way that may succeed later (provider 5xx/429, timeouts,
 * connection errors): the worker retries with backoff.
 */
export class TransientDeliveryError extends HeraldError {
  readonly status = 503;
  constructor(
    readonly code: ErrorCodeWithStatus<503>,
    message: string,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, [], options);
    this.retryAfterMs = options?.retryAfterMs;
  }
  readonly retryAfterMs: number | undefined;
}

/** A delivery that can never succeed as it stands (render error, invalid address): fail at once. */
export class PermanentDeliveryError extends HeraldError {
  readonly status = 422;
  constructor(
    readonly code: ErrorCodeWithStatus<422>,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, [], options);
  }
}

export class UnsupportedMediaTypeError extends HeraldError {
  readonly status = 415;
  readonly code = 'unsupported-media-type';
}

/** No key, or a key that is unknown or revoked; never says which. */
export class UnauthorizedError extends HeraldError {
  readonly status = 401;
  /**
   * `unauthorized` unless the caller may be told more: an access token refused for a reason it
   * can act on (`token-expired`, `credential-revoked`), told only once its signature proved
   * Herald issued it, so saying which leaks nothing.
   */
  constructor(
    message: string,
    readonly code: ErrorCodeWithStatus<401> = 'unauthorized',
  ) {
    super(message);
  }
}

/** A provider webhook whose signature is missing, stale or does not verify: nothing was applied. */
export class InvalidSignatureError extends HeraldError {
  readonly status = 401;
  readonly code = 'invalid-signature';
}

/** A valid key used outside its roles or sandboxes. */
export class ForbiddenError extends HeraldError {
  readonly status = 403;
  /** `forbidden`, or what is wrong, e.g. a valid token sent with another client's `x-api-key`. */
  constructor(
    message: string,
    readonly code: ErrorCodeWithStatus<403> = 'forbidden',
  ) {
    super(message);
  }
}

/** This caller sends more than its allowance; it may retry after `retryAfterSeconds`. */
export class TooManyRequestsError extends HeraldError {
  readonly status = 429;
  constructor(
    readonly code: ErrorCodeWithStatus<429>,
    message: string,
    readonly retryAfterSeconds = 1,
  ) {
    super(message);
  }
}
