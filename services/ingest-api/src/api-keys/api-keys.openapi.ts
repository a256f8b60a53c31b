import { newApiKeySchema } from './api-key.schema';
import { accessGrantOpenApi } from '../openapi/access-grant.openapi';
import type { OpenApiPart } from '../openapi/common';

export function apiKeysOpenApi(): OpenApiPart {
  return {
    tag: { name: 'API keys', description: 'Keys, their roles and sandboxes (admin).' },
    ...accessGrantOpenApi({
      path: '/api-keys',
      schema: 'ApiKey',
      newSchema: newApiKeySchema,
      ownProperties: {},
      secretProperties: { key: { type: 'string', description: 'Shown once.' } },
      exampleName: 'shop backend',
      summaries: {
        create: 'Create an API key (admin). The key is in this answer only; Herald stores its SHA-256.',
        list: 'List API keys, revoked ones included (admin). Never shows keys or hashes.',
        revoke: 'Revoke an API key (admin). API processes stop accepting it within API_KEY_CACHE_SECONDS.',
      },
      pageDescription: 'A page of keys.',
    }),
  };
}
