import { newApiKeySchema } from './api-key.schema';
import { jsonContent, problem, type OpenApiPart, operation, jsonRequest } from '../openapi/common';

const apiKeyProperties = {
  id: { type: 'string' },
  name: { type: 'string' },
  roles: { type: 'array', items: { enum: ['execute', 'manage', 'admin'] } },
  sandboxes: { type: 'array', items: { type: 'string' }, description: '`*` means every sandbox.' },
  createdAt: { type: 'string', format: 'date-time' },
  revokedAt: { type: 'string', format: 'date-time' },
};

export function apiKeysOpenApi(): OpenApiPart {
  return {
    tag: { name: 'API keys', description: 'Keys, their roles and sandboxes (admin).' },
    paths: {
      '/api-keys': {
        post: operation('api-key', {
          operationId: 'createApiKey',
          summary: 'Create an API key (admin). The key is in this answer only; Herald stores its SHA-256.',
          requestBody: jsonRequest('NewApiKey', {
            name: 'shop backend',
            roles: ['execute'],
            sandboxes: ['prod'],
          }),
          responses: {
            '201': { description: 'Created.', content: jsonContent('CreatedApiKey') },
            '400': problem,
          },
        }),
        get: operation('api-key', {
          operationId: 'listApiKeys',
          summary: 'List API keys, revoked ones included (admin). Never shows keys or hashes.',
          parameters: [
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500 } },
            { name: 'cursor', in: 'query', schema: { type: 'string' } },
          ],
          responses: {
            '200': {
              description: 'A page of keys.',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      items: { type: 'array', items: { $ref: '#/components/schemas/ApiKey' } },
                      nextCursor: { type: ['string', 'null'] },
                    },
                  },
                },
              },
            },
          },
        }),
      },
      '/api-keys/{id}': {
        delete: operation('api-key', {
          operationId: 'revokeApiKey',
          summary: 'Revoke an API key (admin). API processes stop accepting it within API_KEY_CACHE_SECONDS.',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '204': { description: 'Revoked.' }, '404': problem },
        }),
      },
    },
    schemas: {
      NewApiKey: newApiKeySchema,
      ApiKey: { type: 'object', properties: apiKeyProperties },
      CreatedApiKey: {
        type: 'object',
        properties: { ...apiKeyProperties, key: { type: 'string', description: 'Shown once.' } },
      },
    },
  };
}
