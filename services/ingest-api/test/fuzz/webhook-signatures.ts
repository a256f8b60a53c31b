import { parse } from 'node:querystring';
import twilio from 'twilio';
import type { SendGridEventWebhook } from '@herald/channels/test-support';
import type { FuzzRequest } from './fuzz-request';

/** The providers' signing sides, as configured in the fuzzed API. */
export interface WebhookSigners {
  sendGrid: SendGridEventWebhook;
  twilioAuthToken: string;
  /** TWILIO_STATUS_CALLBACK_URL, which Twilio's signature covers with the query. */
  twilioCallbackUrl: string;
}

/**
 * Signs a provider webhook call as the provider would, over the body as sent (mutations
 * included), so that the mutated body gets past the signature check into the handler.
 */
export function webhookSignature(
  signers: WebhookSigners,
  request: FuzzRequest,
): Record<string, string> | undefined {
  const body = request.body.bytes?.toString('utf8') ?? '';
  if (request.operation === 'POST /webhooks/sendgrid') {
    const { 'content-type': _contentType, ...signature } = signers.sendGrid.headersFor(body);
    return signature;
  }
  if (request.operation === 'POST /webhooks/twilio') {
    const query = request.url.split('?').slice(1).join('?');
    const url = query === '' ? signers.twilioCallbackUrl : `${signers.twilioCallbackUrl}?${query}`;
    const params = Object.fromEntries(
      Object.entries(parse(body)).map(([key, value]) => [
        key,
        Array.isArray(value) ? value.join(',') : (value ?? ''),
      ]),
    );
    return { 'x-twilio-signature': twilio.getExpectedTwilioSignature(signers.twilioAuthToken, url, params) };
  }
  return undefined;
}
