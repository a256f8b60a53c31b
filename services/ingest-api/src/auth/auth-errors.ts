import { HeraldError, type ErrorCodeWithStatus } from '@herald/errors';

/**
 * An access token refused for a reason the caller can act on (`token-expired`: get a new one;
 * `credential-revoked`: the credential is gone). Unlike a bad API key, saying which leaks
 * nothing: the token's signature proved Herald issued it before any of these is told.
 */
export class TokenRejectedError extends HeraldError {
  readonly status = 401;
  constructor(
    readonly code: ErrorCodeWithStatus<401>,
    message: string,
  ) {
    super(message);
  }
}

/** A valid token sent with an `x-api-key` or `x-gw-ims-org-id` that is not its own. */
export class TokenHeaderMismatchError extends HeraldError {
  readonly status = 403;
  constructor(
    readonly code: ErrorCodeWithStatus<403>,
    message: string,
  ) {
    super(message);
  }
}
