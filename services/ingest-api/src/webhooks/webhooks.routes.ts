import express, { Router } from 'express';
import { NotFoundError, ValidationError } from '@herald/errors';
import { requireJsonContent } from '../http/json-body';
import {
  parseSendGridEvents,
  parseTwilioStatus,
  type SendGridSignatureVerifier,
  type TwilioSignatureVerifier,
} from '@herald/channels';
import type { ProviderFeedbackService } from './provider-feedback.service';

/** SendGrid posts up to thousands of events per request. */
const WEBHOOK_MAX_BODY_BYTES = 5 * 1024 * 1024;
/** A Twilio status callback is a few hundred bytes of form parameters. */
const TWILIO_MAX_BODY_BYTES = 64 * 1024;

export interface WebhooksRouteDeps {
  feedback: ProviderFeedbackService;
  /** Absent when SENDGRID_WEBHOOK_PUBLIC_KEY is not set: the webhook is then refused. */
  sendGridSignature?: SendGridSignatureVerifier;
  /** Absent unless SMS go through Twilio with TWILIO_STATUS_CALLBACK_URL set. */
  twilioSignature?: TwilioSignatureVerifier;
}

/**
 * Provider webhooks, unauthenticated by API key: each request must carry the provider's own
 * signature instead, checked on the raw body before anything is read from it.
 */
export function webhooksRoutes(deps: WebhooksRouteDeps): Router {
  const router = Router();
  // Read raw: the signature is checked before the body is parsed, so an unsigned request costs no JSON parse.
  const rawJson = express.raw({ type: () => true, limit: WEBHOOK_MAX_BODY_BYTES });
  router.post('/webhooks/sendgrid', requireJsonContent, rawJson, async (req, res) => {
    const verifier = deps.sendGridSignature;
    if (!verifier) {
      throw new NotFoundError(
        'webhook-not-configured',
        'The SendGrid event webhook is off: set SENDGRID_WEBHOOK_PUBLIC_KEY to its verification key.',
      );
    }
    const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    verifier.assertSigned(
      bytes,
      req.header('x-twilio-email-event-webhook-signature'),
      req.header('x-twilio-email-event-webhook-timestamp'),
    );
    const { feedback, ignored } = parseSendGridEvents(parsedJson(bytes));
    res
      .status(200)
      .json(await deps.feedback.apply({ name: 'sendgrid', channel: 'email' }, feedback, ignored));
  });
  router.post(
    '/webhooks/twilio',
    express.urlencoded({ extended: false, limit: TWILIO_MAX_BODY_BYTES }),
    async (req, res) => {
      const verifier = deps.twilioSignature;
      if (!verifier) {
        throw new NotFoundError(
          'webhook-not-configured',
          'The Twilio status callback is off: it needs SMS_PROVIDER=twilio and TWILIO_STATUS_CALLBACK_URL.',
        );
      }
      const params = formParams(req.body);
      const queryStart = req.originalUrl.indexOf('?');
      verifier.assertSigned(
        queryStart === -1 ? '' : req.originalUrl.slice(queryStart + 1),
        params,
        req.header('x-twilio-signature'),
      );
      const status = parseTwilioStatus(req.query, params);
      const summary = await deps.feedback.apply(
        { name: 'twilio', channel: 'sms' },
        status ? [status] : [],
        status ? 0 : 1,
      );
      res.status(200).json(summary);
    },
  );
  return router;
}

/** Form parameters as strings (a non-form body parses to nothing, and the signature check then fails). */
function formParams(body: unknown): Record<string, string> {
  if (typeof body !== 'object' || body === null) return {};
  return Object.fromEntries(
    Object.entries(body as Record<string, unknown>).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}

/** The signed body as JSON; the same refusal as for any other malformed JSON body. */
function parsedJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    throw new ValidationError('malformed-json', 'The request body is not valid JSON.', [
      { path: '/', code: 'malformed-json', message: 'body is not valid JSON' },
    ]);
  }
}
