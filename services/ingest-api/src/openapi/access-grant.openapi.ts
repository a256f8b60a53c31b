import { jsonContent, jsonRequest, operation, problem, type OpenApiObject, type OpenApiPart } from './common';

/**
 * What one kind of access grant (API keys, API credentials) says in the document. Both are
 * made, listed and revoked by admins alike, with roles and sandboxes; they differ in names, in
 * wording and in the fields of their own.
 */
export interface AccessGrantResource {
  /** The collection path, e.g. `/api-keys`; one grant is `{path}/{id}`. */
  path: string;
  /** Name of one grant's schema, e.g. `ApiKey`: also `New…` (request) and `Created…` (answer). */
  schema: string;
  /** The request body's schema. */
  newSchema: OpenApiObject;
  /** Properties of this kind only, shown after `id` and `name`. */
  ownProperties: Record<string, OpenApiObject>;
  /** The secret the create answer carries, and no later one. */
  secretProperties: Record<string, OpenApiObject>;
  /** `name` of the create request's example. */
  exampleName: string;
  summaries: { create: string; list: string; revoke: string };
  /** Description of the list answer, e.g. `A page of keys.`. */
  pageDescription: string;
}

/** The create, list and revoke operations of an access grant, and their schemas. */
export function accessGrantOpenApi(grant: AccessGrantResource): Pick<OpenApiPart, 'paths' | 'schemas'> {
  const { schema } = grant;
  const properties = {
    id: { type: 'string' },
    name: { type: 'string' },
    ...grant.ownProperties,
    roles: { type: 'array', items: { enum: ['execute', 'manage', 'admin'] } },
    sandboxes: { type: 'array', items: { type: 'string' }, description: '`*` means every sandbox.' },
    labels: {
      type: 'array',
      items: { type: 'string' },
      description: 'Campaign access labels held; `*` means every label. Absent when none were given.',
    },
    createdAt: { type: 'string', format: 'date-time' },
    revokedAt: { type: 'string', format: 'date-time' },
  };
  return {
    paths: {
      [grant.path]: {
        post: operation('api-key', {
          operationId: `create${schema}`,
          summary: grant.summaries.create,
          requestBody: jsonRequest(`New${schema}`, {
            name: grant.exampleName,
            roles: ['execute'],
            sandboxes: ['prod'],
          }),
          responses: {
            '201': { description: 'Created.', content: jsonContent(`Created${schema}`) },
            '400': problem,
          },
        }),
        get: operation('api-key', {
          operationId: `list${schema}s`,
          summary: grant.summaries.list,
          parameters: [
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500 } },
            { name: 'cursor', in: 'query', schema: { type: 'string' } },
          ],
          responses: {
            '200': {
              description: grant.pageDescription,
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      items: { type: 'array', items: { $ref: `#/components/schemas/${schema}` } },
                      nextCursor: { type: ['string', 'null'] },
                    },
                  },
                },
              },
            },
          },
        }),
      },
      [`${grant.path}/{id}`]: {
        delete: operation('api-key', {
          operationId: `revoke${schema}`,
          summary: grant.summaries.revoke,
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '204': { description: 'Revoked.' }, '404': problem },
        }),
      },
    },
    schemas: {
      [`New${schema}`]: grant.newSchema,
      [schema]: { type: 'object', properties },
      [`Created${schema}`]: { type: 'object', properties: { ...properties, ...grant.secretProperties } },
    },
  };
}
