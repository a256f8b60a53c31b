import { newApiKeySchema } from '../api-keys/api-key.schema';
import { jsonContent, jsonRequest, operation, problem, type OpenApiPart } from '../openapi/common';

const credentialProperties = {
  id: { type: 'string' },
  name: { type: 'string' },
  clientId: {
    type: 'string',
    description: 'The OAuth `client_id`; also the `x-api-key` sent with its tokens.',
  },
  orgId: {
    type: 'string',
    description: 'HERALD_ORG_ID when created; sent as `x-gw-ims-org-id` with its tokens.',
  },
  roles: { type: 'array', items: { enum: ['execute', 'manage', 'admin'] } },
  sandboxes: { type: 'array', items: { type: 'string' }, description: '`*` means every sandbox.' },
  createdAt: { type: 'string', format: 'date-time' },
  revokedAt: { type: 'string', format: 'date-time' },
};

export function apiCredentialsOpenApi(): OpenApiPart {
  return {
    tag: {
      name: 'API credentials',
      description:
        'OAuth client credentials for AJO-style access tokens (`POST /ims/token/v3`), with roles and sandboxes (admin).',
    },
    paths: {
      '/api-credentials': {
        post: operation('api-key', {
          operationId: 'createApiCredential',
          summary: 'Create an API credential (admin); its client secret is in this answer only.',
          requestBody: jsonRequest('NewApiCredential', {
            name: 'AJO integration',
            roles: ['execute'],
            sandboxes: ['prod'],
          }),
          responses: {
            '201': { description: 'Created.', content: jsonContent('CreatedApiCredential') },
            '400': problem,
          },
        }),
        get: operation('api-key', {
          operationId: 'listApiCredentials',
          summary: 'List API credentials, revoked ones included (admin).',
          parameters: [
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500 } },
            { name: 'cursor', in: 'query', schema: { type: 'string' } },
          ],
          responses: {
            '200': {
              description: 'A page of credentials.',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      items: { type: 'array', items: { $ref: '#/components/schemas/ApiCredential' } },
                      nextCursor: { type: ['string', 'null'] },
                    },
                  },
                },
              },
            },
          },
        }),
      },
      '/api-credentials/{id}': {
        delete: operation('api-key', {
          operationId: 'revokeApiCredential',
          summary: 'Revoke an API credential (admin); its tokens stop within API_KEY_CACHE_SECONDS.',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '204': { description: 'Revoked.' }, '404': problem },
        }),
      },
    },
    schemas: {
      NewApiCredential: newApiKeySchema,
      ApiCredential: { type: 'object', properties: credentialProperties },
      CreatedApiCredential: {
        type: 'object',
        properties: {
          ...credentialProperties,
          clientSecret: { type: 'string', description: 'The OAuth `client_secret`. Shown once.' },
        },
      },
    },
  };
}
