import { FEEDBACK_EVENT_TYPES } from '@herald/contracts';
import {
  jsonContent,
  jsonRequest,
  operation,
  problem,
  sandboxHeader,
  type OpenApiPart,
} from '../openapi/common';
import { pageQueryProperties } from '../http/page-query';
import { newWebhookSchema, webhookPatchSchema } from './feedback-webhook.schema';

const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const pageParams = Object.entries(pageQueryProperties).map(([name, schema]) => ({
  name,
  in: 'query',
  required: false,
  schema,
}));
const subscription = { description: 'The subscription.', content: jsonContent('Webhook') };
const withSecret = {
  description: 'The subscription and its signing secret, shown this once.',
  content: jsonContent('WebhookWithSecret'),
};
const logLine = { description: 'The log line of the call queued.', content: jsonContent('WebhookDelivery') };

const subscriptionProperties = {
  id: { type: 'string' },
  sandbox: { type: 'string' },
  url: { type: 'string' },
  events: newWebhookSchema.properties.events,
  description: { type: 'string' },
  enabled: { type: 'boolean' },
  disabledReason: { type: 'string', description: 'Why Herald turned it off: it kept failing for 3 days.' },
  failingSince: { type: 'string', format: 'date-time', description: 'First failure since the last success.' },
  createdAt: { type: 'string', format: 'date-time' },
  updatedAt: { type: 'string', format: 'date-time' },
};
const subscriptionRequired = ['id', 'sandbox', 'url', 'events', 'enabled', 'createdAt', 'updatedAt'];

export function feedbackWebhooksOpenApi(): OpenApiPart {
  return {
    tag: {
      name: 'Feedback webhooks',
      description:
        "Your endpoints, signed calls for each message's fate and engagement (campaigns with `enableWebhooks`); Standard Webhooks headers.",
    },
    paths: {
      '/webhooks': {
        post: operation('api-key', {
          operationId: 'createWebhook',
          summary: 'Subscribe a URL to feedback events; the secret is shown once (manage).',
          parameters: [sandboxHeader],
          requestBody: jsonRequest('NewWebhook', {
            url: 'https://crm.example.com/herald-events',
            events: ['message.delivered', 'message.bounced'],
            description: 'CRM',
          }),
          responses: { '201': withSecret, '400': problem },
        }),
        get: operation('api-key', {
          operationId: 'listWebhooks',
          summary: 'List the subscriptions, oldest first (manage).',
          parameters: [sandboxHeader, ...pageParams],
          responses: {
            '200': { description: 'A page of subscriptions.', content: jsonContent('WebhookPage') },
            '400': problem,
          },
        }),
      },
      '/webhooks/{id}': {
        get: operation('api-key', {
          operationId: 'getWebhook',
          summary: 'Read a subscription (manage).',
          parameters: [sandboxHeader, idParam],
          responses: { '200': subscription, '404': problem },
        }),
        patch: operation('api-key', {
          operationId: 'updateWebhook',
          summary: 'Change url, events, description or enabled (manage).',
          parameters: [sandboxHeader, idParam],
          requestBody: jsonRequest('WebhookPatch', { enabled: true }),
          responses: { '200': subscription, '400': problem, '404': problem },
        }),
        delete: operation('api-key', {
          operationId: 'deleteWebhook',
          summary: 'Delete a subscription and its log (manage).',
          parameters: [sandboxHeader, idParam],
          responses: { '204': { description: 'Deleted.' }, '404': problem },
        }),
      },
      '/webhooks/{id}/rotate-secret': {
        post: operation('api-key', {
          operationId: 'rotateWebhookSecret',
          summary: 'New secret, shown once; the old one also signs for 24 h (manage).',
          parameters: [sandboxHeader, idParam],
          responses: {
            '200': {
              description: 'The new secret, and when the old one stops signing.',
              content: jsonContent('WebhookWithSecret'),
            },
            '404': problem,
          },
        }),
      },
      '/webhooks/{id}/test': {
        post: operation('api-key', {
          operationId: 'testWebhook',
          summary: 'Queue a signed `webhook.test` call (manage).',
          parameters: [sandboxHeader, idParam],
          responses: { '202': logLine, '404': problem },
        }),
      },
      '/webhooks/{id}/deliveries': {
        get: operation('api-key', {
          operationId: 'listWebhookDeliveries',
          summary: 'The log of calls, newest first (manage).',
          parameters: [sandboxHeader, idParam, ...pageParams],
          responses: {
            '200': { description: 'A page of the log.', content: jsonContent('WebhookDeliveryPage') },
            '400': problem,
            '404': problem,
          },
        }),
      },
      '/webhooks/{id}/deliveries/{eventId}/replay': {
        post: operation('api-key', {
          operationId: 'replayWebhookDelivery',
          summary: 'Post a logged event again (manage).',
          parameters: [
            sandboxHeader,
            idParam,
            {
              name: 'eventId',
              in: 'path',
              required: true,
              schema: { type: 'string' },
              description: 'URL-encoded (`encodeURIComponent`): event ids hold `:`.',
            },
          ],
          responses: { '202': logLine, '404': problem, '409': problem },
        }),
      },
    },
    schemas: {
      NewWebhook: newWebhookSchema,
      WebhookPatch: webhookPatchSchema,
      Webhook: { type: 'object', required: subscriptionRequired, properties: subscriptionProperties },
      WebhookWithSecret: {
        type: 'object',
        required: [...subscriptionRequired, 'secret'],
        properties: {
          ...subscriptionProperties,
          secret: {
            type: 'string',
            description: 'Standard Webhooks secret (`whsec_` + base64): verify `webhook-signature` with it.',
          },
          previousSecretExpiresAt: {
            type: 'string',
            format: 'date-time',
            description: 'Rotation: until then calls carry a signature by the old secret too.',
          },
        },
      },
      WebhookPage: {
        type: 'object',
        required: ['items', 'nextCursor'],
        properties: {
          items: { type: 'array', items: { $ref: '#/components/schemas/Webhook' } },
          nextCursor: { type: ['string', 'null'], description: 'Null on the last page.' },
        },
      },
      WebhookDelivery: {
        type: 'object',
        required: ['subscriptionId', 'eventId', 'event', 'status', 'attempts', 'createdAt', 'updatedAt'],
        properties: {
          sandbox: { type: 'string' },
          subscriptionId: { type: 'string' },
          eventId: { type: 'string' },
          event: {
            type: 'object',
            description: 'The event, as replays post it again.',
            properties: {
              id: { type: 'string' },
              type: { enum: [...FEEDBACK_EVENT_TYPES, 'webhook.test'] },
            },
          },
          status: { enum: ['pending', 'delivered', 'failed'] },
          attempts: { type: 'integer', description: 'Calls made, replays included.' },
          lastError: { type: 'string' },
          lastStatusCode: { type: 'integer' },
          responseTimeMs: { type: 'integer' },
          createdAt: { type: 'string', format: 'date-time' },
          updatedAt: { type: 'string', format: 'date-time' },
        },
      },
      WebhookDeliveryPage: {
        type: 'object',
        required: ['items', 'nextCursor'],
        properties: {
          items: { type: 'array', items: { $ref: '#/components/schemas/WebhookDelivery' } },
          nextCursor: { type: ['string', 'null'], description: 'Null on the last page.' },
        },
      },
    },
  };
}
