import { MAX_SENDGRID_EVENTS } from '@herald/channels';
import { jsonContent, problem, type OpenApiPart, operation } from '../openapi/common';

/** The events Herald reads; SendGrid sends more fields, which are ignored. */
const sendGridEventSchema = {
  type: 'object',
  required: ['event'],
  properties: {
    event: {
      type: 'string',
      description:
        '`delivered`, `open`, `click`, `bounce` (`type` `bounce` or `blocked`), `dropped` and `spamreport` are read; other kinds are ignored.',
    },
    timestamp: { type: 'integer', description: 'Unix time in seconds.' },
    email: { type: 'string' },
    type: { type: 'string' },
    reason: { type: 'string' },
    sandbox: { type: 'string', description: "Herald's custom arg: the delivery's sandbox." },
    execution_id: { type: 'string', description: "Herald's custom arg." },
    delivery_id: { type: 'string', description: "Herald's custom arg: the delivery record's id." },
  },
};

export function webhooksOpenApi(): OpenApiPart {
  return {
    tag: {
      name: 'Provider webhooks',
      description: 'Delivery feedback from the providers, signed by them instead of an API key.',
    },
    paths: {
      '/webhooks/sendgrid': {
        post: operation('signed', {
          operationId: 'postSendGridEvents',
          summary: "SendGrid's signed event webhook: delivery feedback (signature, no API key).",
          description:
            'Moves delivery records along delivered → opened → clicked (or bounced), updates the live counters, and adds hard bounces and spam reports to the suppression list. Each request must carry `X-Twilio-Email-Event-Webhook-Signature` and `-Timestamp` (ECDSA P-256 over the timestamp and the raw body, verified with `SENDGRID_WEBHOOK_PUBLIC_KEY`, at most `WEBHOOK_MAX_AGE_SECONDS` old). Idempotent: a re-posted batch changes nothing twice.',
          parameters: [
            {
              name: 'x-twilio-email-event-webhook-signature',
              in: 'header',
              required: true,
              schema: { type: 'string' },
            },
            {
              name: 'x-twilio-email-event-webhook-timestamp',
              in: 'header',
              required: true,
              schema: { type: 'string' },
            },
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { type: 'array', maxItems: MAX_SENDGRID_EVENTS, items: sendGridEventSchema },
                example: [
                  {
                    email: 'ada@example.com',
                    timestamp: 1790000000,
                    event: 'delivered',
                    sg_message_id: '14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0',
                    sandbox: 'prod',
                    execution_id: '0193a2f0-8c1e-7000-8000-000000000001',
                    delivery_id: '0193a2f0-8c1e-7000-8000-000000000001-r0',
                  },
                ],
              },
            },
          },
          responses: {
            '200': { description: 'What the batch changed.', content: jsonContent('FeedbackSummary') },
            '400': problem,
            '404': problem,
          },
        }),
      },
      '/webhooks/twilio': {
        post: operation('signed', {
          operationId: 'postTwilioStatus',
          summary: "Twilio's status callback of an SMS: delivery feedback (signature, no API key).",
          description:
            'The URL the worker gives Twilio with each SMS: `TWILIO_STATUS_CALLBACK_URL` with `sandbox` and `deliveryId` added to its query. `delivered` and `read` move the record to delivered and opened; `undelivered` and `failed` make it bounced, and error 30005 or 30006 (unknown or unreachable number) also suppresses the number. Each request must carry `X-Twilio-Signature` (HMAC-SHA1 with `TWILIO_AUTH_TOKEN` over the public callback URL and the sorted parameters). On only with `SMS_PROVIDER=twilio` and `TWILIO_STATUS_CALLBACK_URL`.',
          parameters: [
            { name: 'sandbox', in: 'query', required: true, schema: { type: 'string' } },
            { name: 'deliveryId', in: 'query', required: true, schema: { type: 'string' } },
            { name: 'x-twilio-signature', in: 'header', required: true, schema: { type: 'string' } },
          ],
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': {
                schema: {
                  type: 'object',
                  required: ['MessageSid', 'MessageStatus'],
                  properties: {
                    MessageSid: { type: 'string' },
                    MessageStatus: { type: 'string' },
                    ErrorCode: { type: 'string' },
                    To: { type: 'string' },
                  },
                },
              },
            },
          },
          responses: {
            '200': { description: 'What the callback changed.', content: jsonContent('FeedbackSummary') },
            '404': problem,
          },
        }),
      },
    },
    schemas: {
      FeedbackSummary: {
        type: 'object',
        required: ['received', 'applied', 'unchanged', 'unknown', 'ignored', 'suppressed'],
        properties: {
          received: { type: 'integer', description: 'Events in the request.' },
          applied: { type: 'integer', description: 'Delivery records moved along the funnel.' },
          unchanged: {
            type: 'integer',
            description: 'Events older than, or the same as, what the record says.',
          },
          unknown: { type: 'integer', description: 'Events about deliveries Herald has no record of.' },
          ignored: {
            type: 'integer',
            description: 'Events of kinds Herald does not record, or without its ids.',
          },
          suppressed: {
            type: 'integer',
            description: 'Addresses put on the suppression list (hard bounces, spam reports).',
          },
        },
      },
    },
  };
}
