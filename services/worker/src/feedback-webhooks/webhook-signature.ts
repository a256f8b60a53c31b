import { Webhook } from 'standardwebhooks';

/** The secrets a call is signed with: the current one, and a rotated-out one until it expires. */
export interface SigningSecrets {
  secret: string;
  previousSecret?: string;
  previousSecretExpiresAt?: string;
}

/**
 * The Standard Webhooks headers of one call. Signed with the spec authors' own library, so the
 * signed content (`<id>.<timestamp>.<body>`), the secret's decoding and the `v1,` format are
 * exactly what receivers verify with it. During a rotation's overlap the header carries one
 * signature per secret, space-separated, as the specification allows: a receiver holding either
 * secret verifies the call.
 */
export function signatureHeaders(
  id: string,
  now: Date,
  body: string,
  secrets: SigningSecrets,
): Record<string, string> {
  const keys = [secrets.secret];
  const previousExpiry = secrets.previousSecretExpiresAt ? Date.parse(secrets.previousSecretExpiresAt) : NaN;
  if (secrets.previousSecret && previousExpiry > now.getTime()) keys.push(secrets.previousSecret);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': keys.map((key) => new Webhook(key).sign(id, now, body)).join(' '),
  };
}
