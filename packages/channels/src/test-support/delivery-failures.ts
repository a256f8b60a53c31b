import { PermanentDeliveryError, TransientDeliveryError } from '@herald/errors';

/**
 * Awaits a send that must fail with `code` and `details` (e.g. `retryAfterMs`), and returns the
 * error so that a test can check its message too.
 */
type FailureExpectation = (
  sending: Promise<unknown>,
  code: string,
  details?: Record<string, unknown>,
) => Promise<Error>;

function expectFailureOf(
  errorClass: typeof TransientDeliveryError | typeof PermanentDeliveryError,
): FailureExpectation {
  return async (sending, code, details = {}) => {
    const outcome = await sending.catch((caught: unknown) => caught);
    // Matching the constructor refuses a success and a subclass alike, not only another class.
    expect(outcome).toMatchObject({ constructor: errorClass, code, ...details });
    // The match above has just proved it is a delivery error.
    return outcome as Error;
  };
}

/** A failure the worker retries later (provider 5xx/429, timeouts, connection errors). */
export const expectTransientFailure = expectFailureOf(TransientDeliveryError);

/** A failure the worker never retries (rejected address, bad credentials, unsafe input). */
export const expectPermanentFailure = expectFailureOf(PermanentDeliveryError);
