import { jsonContent, operation, problem, type OpenApiPart } from '../openapi/common';
import { MAX_SCOPE_LENGTH, TOKEN_REQUEST_MAX_BYTES } from './ims-token.service';

const oauthError = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/OAuthError' } } },
});

export function imsTokenOpenApi(): OpenApiPart {
  return {
    tag: {
      name: 'Access tokens',
      description:
        "AJO callers' IMS token request (OAuth 2.0 client credentials): an API credential's client id and secret for an access token.",
    },
    paths: {
      '/ims/token/v3': {
        post: operation('open', {
          operationId: 'createAccessToken',
          summary: 'Get an access token (IMS client credentials; Basic, form body, or query but no secret).',
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': {
                schema: { $ref: '#/components/schemas/TokenRequest' },
                example: {
                  grant_type: 'client_credentials',
                  client_id: '0123456789abcdef0123456789abcdef',
                  client_secret: 'hrldcs_…',
                  scope: 'openid,AdobeID',
                },
              },
            },
          },
          responses: {
            '200': {
              description:
                'The token: send it as `Authorization: Bearer <access_token>` with `x-api-key: <client_id>` and `x-gw-ims-org-id: <orgId of the credential>`.',
              headers: { 'Cache-Control': { schema: { type: 'string', const: 'no-store' } } },
              content: jsonContent('AccessToken'),
            },
            '400': oauthError(
              '`invalid_request` (a parameter missing or repeated, `client_secret` in the query, or credentials both in Basic and in the body), ' +
                `\`invalid_scope\` (\`scope\` over ${String(MAX_SCOPE_LENGTH)} characters) or \`unsupported_grant_type\`.`,
            ),
            '401': oauthError('`invalid_client`: no such active client id, or the wrong secret.'),
            '413': {
              ...problem,
              description: `\`payload-too-large\`: the form body is over ${String(TOKEN_REQUEST_MAX_BYTES)} bytes.`,
            },
            '404': { ...problem, description: '`tokens-not-configured`: TOKEN_SIGNING_KEYS is unset.' },
          },
        }),
      },
    },
    schemas: {
      TokenRequest: {
        type: 'object',
        description: 'Without `Authorization: Basic`, `client_id` and `client_secret` are required.',
        required: ['grant_type'],
        properties: {
          grant_type: { const: 'client_credentials' },
          client_id: { type: 'string' },
          client_secret: { type: 'string' },
          scope: {
            type: 'string',
            maxLength: MAX_SCOPE_LENGTH,
            description: 'Accepted and recorded in the token; it grants nothing.',
          },
        },
      },
      AccessToken: {
        type: 'object',
        required: ['access_token', 'token_type', 'expires_in'],
        properties: {
          access_token: { type: 'string', description: 'A JWT (HS256), valid for `expires_in` seconds.' },
          token_type: { const: 'bearer' },
          expires_in: { type: 'integer', description: 'Seconds (ACCESS_TOKEN_TTL_SECONDS).' },
        },
      },
      OAuthError: {
        type: 'object',
        required: ['error', 'error_description'],
        properties: {
          error: { enum: ['invalid_request', 'invalid_client', 'invalid_scope', 'unsupported_grant_type'] },
          error_description: { type: 'string' },
        },
      },
    },
  };
}
