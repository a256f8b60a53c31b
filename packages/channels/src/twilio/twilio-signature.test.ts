import twilio from 'twilio';
import { InvalidSignatureError } from '@herald/errors';
import { TwilioSignatureVerifier } from './twilio-signature';

const AUTH_TOKEN = 'twilio-signature-test-token-0123456789';
const params = { MessageSid: 'SM0123', MessageStatus: 'delivered' };

/** A signature as Twilio makes it, over `url`, with the official library's own function. */
const signedOver = (url: string): string => twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, params);

describe('TwilioSignatureVerifier', () => {
  // Twilio signs the callback URL with or without its port depending on the product.
  it.each([
    ['https://api.example.com:8443/webhooks/twilio', 'https://api.example.com:8443/webhooks/twilio'],
    ['https://api.example.com:8443/webhooks/twilio', 'https://api.example.com/webhooks/twilio'],
    ['https://api.example.com/webhooks/twilio', 'https://api.example.com:443/webhooks/twilio'],
    ['https://api.example.com/webhooks/twilio', 'https://api.example.com/webhooks/twilio'],
  ])('with the callback %s, accepts a signature over %s', (callbackUrl, signedUrl) => {
    const verifier = new TwilioSignatureVerifier({ authToken: AUTH_TOKEN, callbackUrl });
    expect(() => verifier.assertSigned('', params, signedOver(signedUrl))).not.toThrow();
  });

  it('refuses a signature over another path, other parameters, or none', () => {
    const verifier = new TwilioSignatureVerifier({
      authToken: AUTH_TOKEN,
      callbackUrl: 'https://api.example.com/webhooks/twilio',
    });
    const other = signedOver('https://api.example.com/webhooks/other');
    expect(() => verifier.assertSigned('', params, other)).toThrow(InvalidSignatureError);
    const signature = signedOver('https://api.example.com/webhooks/twilio');
    expect(() => verifier.assertSigned('', { ...params, MessageStatus: 'failed' }, signature)).toThrow(
      InvalidSignatureError,
    );
    expect(() => verifier.assertSigned('', params, undefined)).toThrow(InvalidSignatureError);
  });
});
