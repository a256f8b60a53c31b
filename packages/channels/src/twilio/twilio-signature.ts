import twilio from 'twilio';
import { InvalidSignatureError } from '@herald/errors';

export interface TwilioSignatureOptions {
  authToken: string;
  /** TWILIO_STATUS_CALLBACK_URL: the public URL Twilio calls, which its signature covers. */
  callbackUrl: string;
}

/**
 * Checks `X-Twilio-Signature` of a status callback with the Twilio SDK (HMAC-SHA1, keyed with
 * the account's auth token, of the URL Twilio requested and the form parameters). The URL is
 * rebuilt from the configured public callback URL plus the query the request came with, so a
 * proxy in front of the API does not change what is checked.
 */
export class TwilioSignatureVerifier {
  private readonly base: string;

  constructor(private readonly options: TwilioSignatureOptions) {
    const url = new URL(options.callbackUrl);
    this.base = `${url.origin}${url.pathname}`;
  }

  assertSigned(rawQuery: string, params: Record<string, string>, signature: string | undefined): void {
    if (!signature) throw new InvalidSignatureError('The request has no X-Twilio-Signature header.');
    const url = rawQuery === '' ? this.base : `${this.base}?${rawQuery}`;
    if (!twilio.validateRequest(this.options.authToken, signature, url, params)) {
      throw new InvalidSignatureError('The X-Twilio-Signature does not match the callback.');
    }
  }
}
