import { verify, type KeyObject } from 'node:crypto';
import { InvalidSignatureError } from '@herald/errors';
import { sendGridWebhookKey } from './sendgrid-webhook-key';

export interface SendGridSignatureOptions {
  /** SENDGRID_WEBHOOK_PUBLIC_KEY: the verification key of SendGrid's signed event webhook, base64 or PEM. */
  verificationKey: string;
  /** Signed timestamps further than this from now are refused, so a captured request cannot be replayed later. */
  maxAgeSeconds: number;
}

/**
 * Checks SendGrid's signed event webhook: an ECDSA P-256 / SHA-256 signature (base64, DER) of the
 * `X-Twilio-Email-Event-Webhook-Timestamp` header followed by the raw body, in
 * `X-Twilio-Email-Event-Webhook-Signature`. Anyone can reach the webhook URL; only requests
 * SendGrid signed, recently, may change delivery records or the suppression list.
 */
export class SendGridSignatureVerifier {
  private readonly key: KeyObject;

  constructor(private readonly options: SendGridSignatureOptions) {
    this.key = sendGridWebhookKey(options.verificationKey);
  }

  /** Throws InvalidSignatureError unless `body` was signed by SendGrid at `timestamp`, within the allowed age. */
  assertSigned(
    body: Buffer,
    signature: string | undefined,
    timestamp: string | undefined,
    now: number = Date.now(),
  ): void {
    if (!signature || !timestamp) {
      throw new InvalidSignatureError(
        'The request has no X-Twilio-Email-Event-Webhook-Signature or -Timestamp header.',
      );
    }
    const seconds = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
    if (!Number.isFinite(seconds) || Math.abs(now / 1000 - seconds) > this.options.maxAgeSeconds) {
      throw new InvalidSignatureError(
        `The signed timestamp is missing, malformed or more than ${this.options.maxAgeSeconds} s from now.`,
      );
    }
    const signed = Buffer.concat([Buffer.from(timestamp, 'utf8'), body]);
    if (!verifies(this.key, signed, signature)) {
      throw new InvalidSignatureError('The signature does not verify with the configured key.');
    }
  }
}

/** A signature that is not even well-formed DER does not verify either. */
function verifies(key: KeyObject, signed: Buffer, signature: string): boolean {
  try {
    return verify('sha256', signed, { key, dsaEncoding: 'der' }, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
