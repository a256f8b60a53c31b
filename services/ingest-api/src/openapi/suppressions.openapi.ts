import { newSuppressionSchema, suppressionListQuerySchema } from '../suppressions/suppression.schema';
import { jsonContent, problem, sandboxHeader, type OpenApiPart } from './common';

const common = { '400': problem, '401': problem, '403': problem };

const addressParams = [
  sandboxHeader,
  {
    name: 'channel',
    in: 'path',
    required: true,
    schema: newSuppressionSchema.properties.channel,
  },
  {
    name: 'address',
    in: 'path',
    required: true,
    schema: { type: 'string', minLength: 1, maxLength: 2048 },
    description:
      'The address, URL-encoded as one path segment (`encodeURIComponent`): `ada%40example.com`, `%2B33612345678`, `https%3A%2F%2Fpush.example%2Fabc`. E-mail addresses match case-insensitively.',
  },
];

const entry = { description: 'The suppression entry.', content: jsonContent('Suppression') };

export function suppressionsOpenApi(): OpenApiPart {
  return {
    paths: {
      '/suppressions': {
        post: {
          summary: 'Suppress an address on a channel (manage).',
          description:
            'Idempotent: 201 when the address is added, 200 with the existing entry (its first reason and date kept) when it was already suppressed.',
          parameters: [sandboxHeader],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { $ref: '#/components/schemas/NewSuppression' },
                example: {
                  channel: 'email',
                  address: 'ada@example.com',
                  reason: 'manual',
                  source: 'support-desk',
                },
              },
            },
          },
          responses: {
            '201': entry,
            '200': entry,
            ...common,
            '413': problem,
            '415': problem,
          },
        },
        get: {
          summary: 'List the suppressed addresses of one channel, sorted by address (manage).',
          parameters: [
            sandboxHeader,
            ...Object.entries(suppressionListQuerySchema.properties).map(([name, schema]) => ({
              name,
              in: 'query',
              required: name === 'channel',
              schema,
            })),
          ],
          responses: {
            '200': { description: 'A page of entries.', content: jsonContent('SuppressionPage') },
            ...common,
          },
        },
      },
      '/suppressions/{channel}/{address}': {
        get: {
          summary: 'Check whether an address is suppressed (manage).',
          parameters: addressParams,
          responses: { '200': entry, ...common, '404': problem },
        },
        delete: {
          summary: 'Remove an address from the suppression list (manage).',
          parameters: addressParams,
          responses: { '204': { description: 'Removed.' }, ...common, '404': problem },
        },
      },
    },
    schemas: {
      NewSuppression: newSuppressionSchema,
      Suppression: {
        type: 'object',
        required: ['sandbox', 'channel', 'address', 'reason', 'source', 'createdAt'],
        properties: {
          sandbox: { type: 'string' },
          channel: newSuppressionSchema.properties.channel,
          address: { type: 'string', description: 'E-mail addresses are stored lower-cased.' },
          reason: newSuppressionSchema.properties.reason,
          source: { type: 'string' },
          createdAt: { type: 'string', format: 'date-time' },
        },
      },
      SuppressionPage: {
        type: 'object',
        required: ['items', 'nextCursor'],
        properties: {
          items: { type: 'array', items: { $ref: '#/components/schemas/Suppression' } },
          nextCursor: { type: ['string', 'null'], description: 'Null on the last page.' },
        },
      },
    },
  };
}
