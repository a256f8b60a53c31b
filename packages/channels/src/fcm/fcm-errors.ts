import { PermanentDeliveryError, type TransientDeliveryError } from '@herald/errors';
import { errorForHttpStatus } from '../provider-errors';

const PROVIDER = 'fcm';

/** FCM v1's error body: a google.rpc.Status whose details may carry an FcmError or a BadRequest. */
export interface FcmErrorBody {
  error?: {
    status?: string;
    message?: string;
    details?: Array<{ '@type'?: string; errorCode?: string; fieldViolations?: Array<{ field?: string }> }>;
  };
}

/**
 * The FCM reason: the FcmError `errorCode` when given, else the google.rpc status. Both name a
 * condition, never the token or the message.
 */
export function fcmReason(body: FcmErrorBody): string | undefined {
  const details = body.error?.details ?? [];
  return details.find((detail) => typeof detail.errorCode === 'string')?.errorCode ?? body.error?.status;
}

/**
 * FCM answers INVALID_ARGUMENT for a malformed message and for a token it does not recognise, and
 * its documented answer for a bad token (an FcmError with no field) cannot be told from a bad
 * message that names no field either. Dropping the token on a message fault would wipe valid
 * tokens across a whole campaign, so only an answer naming `message.token` condemns the token.
 */
function namesTheToken(body: FcmErrorBody): boolean {
  const violations = (body.error?.details ?? []).flatMap((detail) => detail.fieldViolations ?? []);
  return violations.length > 0 && violations.every((violation) => violation.field === 'message.token');
}

/** Classifies a non-2xx answer of `messages:send`. */
export function errorForFcmAnswer(
  status: number,
  body: FcmErrorBody,
  retryAfter: string | null,
): TransientDeliveryError | PermanentDeliveryError {
  const reason = fcmReason(body);
  if (reason === 'UNREGISTERED' || (reason === 'INVALID_ARGUMENT' && status === 400 && namesTheToken(body))) {
    return new PermanentDeliveryError(
      'subscription-gone',
      `FCM no longer knows the device token (${reason})`,
    );
  }
  if (reason === 'SENDER_ID_MISMATCH') {
    // The token belongs to another Firebase project: a configuration matter, not a dead device.
    return new PermanentDeliveryError(
      'provider-rejected',
      'FCM: the device token belongs to another sender (SENDER_ID_MISMATCH)',
    );
  }
  const detail = [reason, body.error?.message].filter(Boolean).join(': ').slice(0, 300);
  return errorForHttpStatus(PROVIDER, status, { retryAfter, ...(detail ? { detail } : {}) });
}
