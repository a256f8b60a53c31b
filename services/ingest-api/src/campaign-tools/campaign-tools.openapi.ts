import { previewSchema, testSendSchema } from './campaign-tools.schema';
import {
  jsonContent,
  problem,
  sandboxHeader,
  type OpenApiPart,
  operation,
  jsonRequest,
} from '../openapi/common';

const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', maxLength: 128 } };

const emailMessage = {
  type: 'object',
  required: ['channel', 'from', 'to', 'subject'],
  properties: {
    channel: { const: 'email' },
    from: {
      type: 'object',
      required: ['address'],
      properties: { address: { type: 'string' }, name: { type: 'string' } },
    },
    replyTo: { type: 'string' },
    to: { type: 'string' },
    subject: { type: 'string' },
    html: { type: 'string' },
    text: { type: 'string' },
  },
};

const smsMessage = {
  type: 'object',
  required: ['channel', 'from', 'to', 'body'],
  properties: {
    channel: { const: 'sms' },
    from: { type: 'string' },
    to: { type: 'string', description: 'E.164.' },
    body: { type: 'string' },
  },
};

const pushPayload = {
  type: 'object',
  required: ['title', 'body'],
  properties: {
    title: { type: 'string' },
    body: { type: 'string' },
    url: { type: 'string' },
    icon: { type: 'string' },
    data: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

const pushMessage = {
  type: 'object',
  required: ['channel', 'subscriptions', 'payload'],
  properties: {
    channel: { const: 'push' },
    subscriptions: {
      type: 'array',
      description: 'Endpoints only: subscription keys are never shown.',
      items: { type: 'object', required: ['endpoint'], properties: { endpoint: { type: 'string' } } },
    },
    payload: pushPayload,
    ttlSeconds: { type: 'integer' },
    urgency: { enum: ['very-low', 'low', 'normal', 'high'] },
  },
};

const toolError = {
  type: 'object',
  required: ['code', 'message'],
  properties: { code: { type: 'string' }, message: { type: 'string' } },
};

export function campaignToolsOpenApi(): OpenApiPart {
  return {
    tag: {
      name: 'Campaign tools',
      description: 'Try a campaign before triggering it: preview, test send, a ready trigger call.',
    },
    paths: {
      '/campaigns/{id}/preview': {
        post: operation('api-key', {
          operationId: 'previewCampaign',
          summary: 'Render a campaign exactly as a trigger would send it, per locale (manage).',
          description:
            'Renders with the code the worker sends with. The profile is a stored one (by identity) or given inline; without a context, sample values generated from the `contextSchema` are used. Each locale reports the message that would be sent, or the exclusion (`no-address`, `profile-not-found`) with the content it would have had, or the error that would fail the recipient (`render-failed`, `missing-content`, `channel-config-missing`).',
          parameters: [sandboxHeader, idParam],
          requestBody: jsonRequest('PreviewRequest', {
            profile: { inline: { attributes: { person: { name: { firstName: 'Ada' } } } } },
            channelData: { mobilePhoneNumber: '+33612345678' },
            context: { orderId: 'A-1001' },
          }),
          responses: {
            '200': { description: 'The preview of each locale.', content: jsonContent('CampaignPreview') },
            '400': problem,
            '404': problem,
          },
        }),
      },
      '/campaigns/{id}/test-send': {
        post: operation('api-key', {
          operationId: 'testSendCampaign',
          summary: 'Render a campaign for test recipients and write it to the API outbox now (manage).',
          description:
            'Each message is rendered like a triggered one and marked as a test: `[TEST] ` before the e-mail subject, the SMS body or the push title. Nothing is queued and no delivery record is written. Every recipient is checked and rendered first, and all problems are listed at once: an address that does not suit the channel or a context that breaks the `contextSchema` gives 400 `invalid-recipients`, a message that cannot be rendered 422 `test-send-failed`; either way nothing is sent.',
          parameters: [sandboxHeader, idParam],
          requestBody: jsonRequest('TestSendRequest', {
            recipients: [{ address: 'qa@example.com', context: { orderId: 'A-1001' } }],
          }),
          responses: {
            '200': { description: 'One result per recipient.', content: jsonContent('TestSendResult') },
            '400': problem,
            '404': problem,
            '422': problem,
          },
        }),
      },
      '/campaigns/{id}/curl': {
        get: operation('api-key', {
          operationId: 'getCampaignTriggerCall',
          summary: 'A ready trigger call for the campaign, with sample context values (manage).',
          description:
            'Uses the live version, or the newest one when the campaign was never activated. The command reads the API key from `$HERALD_API_KEY` and targets the host the request was made to.',
          parameters: [sandboxHeader, idParam],
          responses: {
            '200': {
              description: 'The call as JSON and as a curl command.',
              content: jsonContent('TriggerSample'),
            },
            '404': problem,
          },
        }),
      },
    },
    schemas: {
      PreviewRequest: previewSchema,
      TestSendRequest: testSendSchema,
      CampaignPreview: {
        type: 'object',
        required: [
          'campaignId',
          'version',
          'channel',
          'context',
          'contextGenerated',
          'chosenLocale',
          'locales',
        ],
        properties: {
          campaignId: { type: 'string' },
          version: { type: 'integer' },
          channel: { enum: ['email', 'sms', 'push'] },
          context: { type: 'object' },
          contextGenerated: { type: 'boolean', description: 'True when the context is sample values.' },
          chosenLocale: { type: 'string', description: 'The locale a trigger for this recipient would use.' },
          locales: {
            type: 'array',
            items: {
              type: 'object',
              required: ['locale', 'outcome'],
              properties: {
                locale: { type: 'string' },
                outcome: { enum: ['send', 'excluded', 'failed'] },
                message: { oneOf: [emailMessage, smsMessage, pushMessage] },
                smsLength: {
                  type: 'object',
                  properties: {
                    encoding: { enum: ['GSM-7', 'UCS-2'] },
                    characters: { type: 'integer' },
                    units: { type: 'integer' },
                    segments: { type: 'integer' },
                    shortenedLinks: {
                      type: 'integer',
                      description:
                        'Links measured as the short tracker links they are sent as (`channelConfig.sms.tracking.clicks`); the message shown keeps them as written.',
                    },
                  },
                },
                reason: { type: 'string', description: 'Exclusion reason.' },
                content: { type: 'object', description: 'Rendered content of an excluded recipient.' },
                error: toolError,
              },
            },
          },
        },
      },
      TestSendResult: {
        type: 'object',
        required: ['executionId', 'results'],
        properties: {
          executionId: { type: 'string', description: 'Starts with `test-`.' },
          results: {
            type: 'array',
            items: {
              type: 'object',
              required: ['address', 'locale', 'providerMessageId'],
              properties: {
                address: { type: 'string', description: 'E-mail address, E.164 number or push endpoint.' },
                locale: { type: 'string' },
                providerMessageId: { type: 'string' },
              },
            },
          },
        },
      },
      TriggerSample: {
        type: 'object',
        required: ['json', 'curl'],
        properties: {
          json: { $ref: '#/components/schemas/UnitaryExecutionRequest' },
          curl: { type: 'string' },
        },
      },
    },
  };
}
