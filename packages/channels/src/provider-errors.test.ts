import { PermanentDeliveryError, TransientDeliveryError } from '@herald/errors';
import {
  errorForHttpStatus,
  errorForNetworkFailure,
  isNetworkFailure,
  isSystemError,
  parseRetryAfter,
} from './provider-errors';

describe('parseRetryAfter', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');

  it('reads delta-seconds as milliseconds', () => {
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP-date as the time left until it', () => {
    expect(parseRetryAfter('Wed, 01 May 2024 12:00:30 GMT', now)).toBe(30_000);
  });

  it('never returns a negative wait for a date in the past', () => {
    expect(parseRetryAfter('Wed, 01 May 2024 11:00:00 GMT', now)).toBe(0);
  });

  it('caps a wait longer than one hour at one hour', () => {
    expect(parseRetryAfter('86400', now)).toBe(3_600_000);
  });

  it('returns undefined when the header is absent or unreadable', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});

describe('errorForHttpStatus', () => {
  it('makes 429 a transient throttle carrying the Retry-After wait', () => {
    const error = errorForHttpStatus('sendgrid', 429, { retryAfter: '12' });
    expect(error).toBeInstanceOf(TransientDeliveryError);
    expect(error.code).toBe('provider-throttled');
    expect((error as TransientDeliveryError).retryAfterMs).toBe(12_000);
  });

  it('makes 429 without Retry-After a throttle with no fixed wait', () => {
    const error = errorForHttpStatus('sendgrid', 429) as TransientDeliveryError;
    expect(error.retryAfterMs).toBeUndefined();
  });

  it.each([500, 502, 503, 504, 408])('makes %i a transient provider-unavailable', (status) => {
    const error = errorForHttpStatus('twilio', status);
    expect(error).toBeInstanceOf(TransientDeliveryError);
    expect(error.code).toBe('provider-unavailable');
  });

  it('keeps the Retry-After of a 503', () => {
    const error = errorForHttpStatus('twilio', 503, { retryAfter: '3' }) as TransientDeliveryError;
    expect(error.retryAfterMs).toBe(3000);
  });

  it.each([401, 403])('makes %i a permanent provider-auth-failed', (status) => {
    const error = errorForHttpStatus('sendgrid', status);
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect(error.code).toBe('provider-auth-failed');
  });

  it.each([400, 404, 413, 422])('makes %i a permanent provider-rejected', (status) => {
    const error = errorForHttpStatus('sendgrid', status);
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect(error.code).toBe('provider-rejected');
  });

  it('names the provider, the status and the detail in the message', () => {
    const error = errorForHttpStatus('twilio', 400, { detail: 'code 21211' });
    expect(error.message).toContain('twilio');
    expect(error.message).toContain('400');
    expect(error.message).toContain('code 21211');
  });
});

describe('errorForNetworkFailure', () => {
  it('makes a refused connection a transient provider-unreachable that keeps the cause', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const error = errorForNetworkFailure('smtp', cause);
    expect(error).toBeInstanceOf(TransientDeliveryError);
    expect(error.code).toBe('provider-unreachable');
    expect(error.cause).toBe(cause);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('accepts something that is not an Error', () => {
    expect(errorForNetworkFailure('smtp', 'boom').code).toBe('provider-unreachable');
  });
});

describe('isNetworkFailure', () => {
  it.each([
    Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }),
    new Error('socket hang up'),
    Object.assign(new Error('aborted'), { name: 'AbortError' }),
    new Error('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }),
  ])('recognises %p', (error) => {
    expect(isNetworkFailure(error)).toBe(true);
  });

  it('does not take a provider answer for a network failure', () => {
    expect(isNetworkFailure(new Error('Bad Request'))).toBe(false);
    expect(isNetworkFailure(undefined)).toBe(false);
  });
});

describe('isSystemError', () => {
  it('recognises errors of the system and HTTP stack, which are retried rather than dead-lettered', () => {
    const withCode = (code: string) => Object.assign(new Error(code), { code });
    for (const code of ['EMFILE', 'ENOBUFS', 'EPROTO', 'CERT_HAS_EXPIRED', 'ERR_STREAM_PREMATURE_CLOSE']) {
      expect(isSystemError(withCode(code))).toBe(true);
    }
    expect(isSystemError(Object.assign(new Error('x'), { isAxiosError: true }))).toBe(true);
    expect(isSystemError(new Error('wrapped', { cause: withCode('EMFILE') }))).toBe(true);
  });

  it("leaves an SDK's own refusal of the message (no code) to be permanent", () => {
    expect(isSystemError(new Error('Provide at least one of to, cc or bcc'))).toBe(false);
    expect(isSystemError('text')).toBe(false);
  });
});
