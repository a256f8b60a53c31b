import { PermanentDeliveryError } from '@herald/errors';
import { errorForFcmAnswer, type FcmErrorBody } from './fcm-errors';

const fcmError = (errorCode: string): FcmErrorBody['error'] => ({
  status: 'INVALID_ARGUMENT',
  details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }],
});
const badRequest = (field: string): FcmErrorBody['error'] => ({
  status: 'INVALID_ARGUMENT',
  message: `Invalid value at '${field}'`,
  details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field }] }],
});

function codeOf(status: number, error: FcmErrorBody['error']): string {
  const classified = errorForFcmAnswer(status, { error }, null);
  expect(classified).toBeInstanceOf(PermanentDeliveryError);
  return classified.code;
}

describe('errorForFcmAnswer', () => {
  it('drops the token when FCM says UNREGISTERED', () => {
    expect(codeOf(404, { status: 'NOT_FOUND', details: fcmError('UNREGISTERED')?.details })).toBe(
      'subscription-gone',
    );
  });

  it('drops the token when a BadRequest names message.token', () => {
    expect(codeOf(400, badRequest('message.token'))).toBe('subscription-gone');
  });

  it('keeps the token on an INVALID_ARGUMENT that names no field: the message may be at fault', () => {
    expect(codeOf(400, fcmError('INVALID_ARGUMENT'))).toBe('provider-rejected');
    expect(
      codeOf(400, { status: 'INVALID_ARGUMENT', message: 'Request contains an invalid argument.' }),
    ).toBe('provider-rejected');
  });

  it('keeps the token when a BadRequest names a field of the message', () => {
    expect(codeOf(400, badRequest('message.android.ttl'))).toBe('provider-rejected');
    expect(codeOf(400, badRequest('message.data[0].value'))).toBe('provider-rejected');
  });
});
