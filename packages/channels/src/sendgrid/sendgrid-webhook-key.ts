import { createPublicKey, type KeyObject } from 'node:crypto';
import { ConfigError } from '@herald/errors';

/**
 * SENDGRID_WEBHOOK_PUBLIC_KEY as a key: SendGrid shows its event-webhook verification key as
 * base64 DER; PEM is accepted too. The API checks it at start, so a mistyped key stops it there
 * with a ConfigError rather than refusing every webhook later.
 */
export function sendGridWebhookKey(text: string): KeyObject {
  const pem = text.includes('BEGIN PUBLIC KEY')
    ? text
    : `-----BEGIN PUBLIC KEY-----\n${text}\n-----END PUBLIC KEY-----`;
  let key: KeyObject | undefined;
  try {
    key = createPublicKey(pem);
  } catch {
    key = undefined;
  }
  if (key?.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    const message =
      'SENDGRID_WEBHOOK_PUBLIC_KEY must be the verification key of a signed event webhook (an EC P-256 public key, base64 or PEM)';
    throw new ConfigError(`Invalid configuration:\n  - ${message}`, [
      { path: 'SENDGRID_WEBHOOK_PUBLIC_KEY', code: 'invalid-config', message },
    ]);
  }
  return key;
}
