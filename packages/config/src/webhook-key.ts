import { createPublicKey } from 'node:crypto';
import { ConfigError } from '@herald/errors';

/**
 * SendGrid shows its event-webhook verification key as base64 DER; PEM is accepted too. Checked
 * here, so a mistyped key stops the API at start rather than refusing every webhook later.
 */
export function sendGridWebhookKeyPem(text: string): string {
  const pem = text.includes('BEGIN PUBLIC KEY')
    ? text
    : `-----BEGIN PUBLIC KEY-----\n${text}\n-----END PUBLIC KEY-----`;
  let curve: string | undefined;
  try {
    curve = createPublicKey(pem).asymmetricKeyDetails?.namedCurve;
  } catch {
    curve = undefined;
  }
  if (curve !== 'prime256v1') {
    const message =
      'SENDGRID_WEBHOOK_PUBLIC_KEY must be the verification key of a signed event webhook (an EC P-256 public key, base64 or PEM)';
    throw new ConfigError(`Invalid configuration:\n  - ${message}`, [
      { path: 'SENDGRID_WEBHOOK_PUBLIC_KEY', code: 'invalid-config', message },
    ]);
  }
  return pem;
}
