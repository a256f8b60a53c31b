import { parseJsonOrText } from '@herald/testing';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { AcceptedMail } from './sendgrid-mail';

/** One event as SendGrid's event webhook posts it: the mail's custom args copied to the top level. */
export type SendGridEvent = Record<string, unknown> & { event: string; timestamp: number };

export interface SignedEventPost {
  body: string;
  headers: Record<string, string>;
}

/**
 * SendGrid's side of the signed event webhook: a P-256 key pair of its own, events built from the
 * mails the stand-in accepted, and requests signed as SendGrid signs them (ECDSA / SHA-256 over
 * the timestamp header followed by the raw body, base64 DER). Give `verificationKey` to the API
 * as SENDGRID_WEBHOOK_PUBLIC_KEY.
 */
export class SendGridEventWebhook {
  /** The key as SendGrid's settings page shows it: base64 of the DER SubjectPublicKeyInfo. */
  readonly verificationKey: string;
  private readonly privateKey: KeyObject;
  private sequence = 0;

  constructor() {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    this.verificationKey = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    this.privateKey = privateKey;
  }

  /** An event about `mail`, with its custom args and SendGrid's usual fields; `extra` adds or overrides. */
  eventFor(mail: AcceptedMail, event: string, extra: Record<string, unknown> = {}): SendGridEvent {
    this.sequence += 1;
    return {
      email: mail.to,
      timestamp: Math.floor(Date.now() / 1000),
      event,
      sg_event_id: `standin-event-${this.sequence}`,
      sg_message_id: `${mail.messageId}.filter`,
      ...mail.customArgs,
      ...extra,
    };
  }

  /** The body and headers of a signed request; `timestamp` (Unix seconds) defaults to now. */
  signed(events: readonly unknown[], timestamp: number = Math.floor(Date.now() / 1000)): SignedEventPost {
    const body = JSON.stringify(events);
    return { body, headers: this.headersFor(body, timestamp) };
  }

  /** The signature headers SendGrid would send with `body` at `timestamp`. */
  headersFor(body: string, timestamp: number = Math.floor(Date.now() / 1000)): Record<string, string> {
    const stamp = String(timestamp);
    const signature = sign('sha256', Buffer.from(stamp + body), { key: this.privateKey, dsaEncoding: 'der' });
    return {
      'content-type': 'application/json',
      'x-twilio-email-event-webhook-timestamp': stamp,
      'x-twilio-email-event-webhook-signature': signature.toString('base64'),
    };
  }

  /** Posts `events` to `url` signed, as SendGrid does; resolves with the answer. */
  async post(url: string, events: readonly unknown[]): Promise<{ status: number; body: unknown }> {
    const { body, headers } = this.signed(events);
    const response = await fetch(url, { method: 'POST', headers, body });
    const text = await response.text();
    return { status: response.status, body: parseJsonOrText(text) };
  }
}
