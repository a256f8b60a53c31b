import { newSuppressionSchema, suppressionListQuerySchema } from './suppression.schema';
import {
  jsonContent,
  problem,
  sandboxHeader,
  type OpenApiPart,
  operation,
  jsonRequest,
} from '../openapi/common';

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
    tag: { name: 'Suppressions', description: 'Addresses Herald never sends to, per channel.' },
    paths: {
      '/suppressions': {
        post: operation('api-key', {
          operationId: 'addSuppression',
          summary: 'Suppress an address on a channel (manage).',
          description:
            'Idempotent: 201 when the address is added, 200 with the existing entry (its first reason and date kept) when it was already suppressed.',
          parameters: [sandboxHeader],
          requestBody: jsonRequest('NewSuppression', {
            channel: 'email',
            address: 'ada@example.com',
            reason: 'manual',
            source: 'support-desk',
          }),
          responses: {
            '201': entry,
            '200': entry,
            '400': problem,
          },
        }),
        get: operation('api-key', {
          operationId: 'listSuppressions',
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
            '400': problem,
          },
        }),
      },
      '/suppressions/{channel}/{address}': {
        get: operation('api-key', {
          operationId: 'getSuppression',
          summary: 'Check whether an address is suppressed (manage).',
          parameters: addressParams,
          responses: { '200': entry, '400': problem, '404': problem },
        }),
        delete: operation('api-key', {
          operationId: 'removeSuppression',
          summary: 'Remove an address from the suppression list (manage).',
          parameters: addressParams,
          responses: { '204': { description: 'Removed.' }, '400': problem, '404': problem },
        }),
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
