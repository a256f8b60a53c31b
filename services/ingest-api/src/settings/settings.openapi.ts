import { settingsInputSchema } from './settings.schema';
import {
  jsonContent,
  problem,
  sandboxHeader,
  type OpenApiPart,
  operation,
  jsonRequest,
} from '../openapi/common';

export function settingsOpenApi(): OpenApiPart {
  return {
    tag: { name: 'Settings', description: 'Delivery settings of a sandbox.' },
    paths: {
      '/settings': {
        get: operation('api-key', {
          operationId: 'getSettings',
          summary: 'Read the delivery settings of the sandbox (manage).',
          description:
            'Frequency caps and quiet hours that marketing campaigns obey, and how trigger calls are deduplicated. A sandbox that never stored settings answers `frequencyCaps: {}` and `updatedAt: null`.',
          parameters: [sandboxHeader],
          responses: {
            '200': { description: 'The settings.', content: jsonContent('SandboxSettings') },
            '400': problem,
          },
        }),
        put: operation('api-key', {
          operationId: 'replaceSettings',
          summary: 'Replace the delivery settings of the sandbox (manage).',
          description:
            'Replaces the settings whole: a channel or `quietHours` left out is removed. Transactional campaigns ignore them.',
          parameters: [sandboxHeader],
          requestBody: jsonRequest('SandboxSettingsInput', {
            frequencyCaps: {
              email: { max: 3, periodSeconds: 86400 },
              sms: { max: 1, periodSeconds: 604800 },
            },
            quietHours: {
              start: '21:00',
              end: '08:00',
              weekdays: [1, 2, 3, 4, 5],
              timezone: 'Europe/Paris',
              action: 'defer',
            },
          }),
          responses: {
            '200': { description: 'The stored settings.', content: jsonContent('SandboxSettings') },
            '400': problem,
          },
        }),
      },
    },
    schemas: {
      SandboxSettingsInput: settingsInputSchema,
      SandboxSettings: {
        type: 'object',
        required: ['sandbox', 'frequencyCaps', 'updatedAt'],
        properties: {
          sandbox: { type: 'string' },
          frequencyCaps: settingsInputSchema.properties.frequencyCaps,
          quietHours: settingsInputSchema.properties.quietHours,
          idempotency: settingsInputSchema.properties.idempotency,
          sms: settingsInputSchema.properties.sms,
          updatedAt: {
            type: ['string', 'null'],
            format: 'date-time',
            description: 'Null when the sandbox never stored settings.',
          },
        },
      },
    },
  };
}
