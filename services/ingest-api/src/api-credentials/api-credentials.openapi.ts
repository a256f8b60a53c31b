import { newApiKeySchema } from '../api-keys/api-key.schema';
import { accessGrantOpenApi } from '../openapi/access-grant.openapi';
import type { OpenApiPart } from '../openapi/common';

export function apiCredentialsOpenApi(): OpenApiPart {
  return {
    tag: {
      name: 'API credentials',
      description:
        'OAuth client credentials for AJO-style access tokens (`POST /ims/token/v3`), with roles and sandboxes (admin).',
    },
    ...accessGrantOpenApi({
      path: '/api-credentials',
      schema: 'ApiCredential',
      newSchema: newApiKeySchema,
      ownProperties: {
        clientId: {
          type: 'string',
          description: 'The OAuth `client_id`; also the `x-api-key` sent with its tokens.',
        },
        orgId: {
          type: 'string',
          description: 'HERALD_ORG_ID when created; sent as `x-gw-ims-org-id` with its tokens.',
        },
      },
      secretProperties: {
        clientSecret: { type: 'string', description: 'The OAuth `client_secret`. Shown once.' },
      },
      exampleName: 'AJO integration',
      summaries: {
        create: 'Create an API credential (admin); its client secret is in this answer only.',
        list: 'List API credentials, revoked ones included (admin).',
        revoke: 'Revoke an API credential (admin); its tokens stop within API_KEY_CACHE_SECONDS.',
      },
      pageDescription: 'A page of credentials.',
    }),
  };
}
