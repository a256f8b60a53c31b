/** Pieces every part of the OpenAPI document uses. */

export type OpenApiObject = Record<string, unknown>;

/** A group of operations in the document: Swagger UI shows one section per tag. */
export interface OpenApiTag {
  name: string;
  description: string;
}

/**
 * The paths and component schemas one feature of the API contributes to the document. Every
 * operation of the part is filed under its `tag`.
 */
export interface OpenApiPart {
  tag: OpenApiTag;
  paths: Record<string, OpenApiObject>;
  schemas: Record<string, OpenApiObject>;
}

export const problem = {
  description: 'A problem (RFC 9457), in the AJO execution API shape plus `code`.',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

export const sandboxHeader = {
  name: 'x-sandbox-name',
  in: 'header',
  required: false,
  schema: { type: 'string', default: 'prod' },
  description: 'Sandbox the call addresses.',
};

export function jsonContent(schemaName: string): OpenApiObject {
  return { 'application/json': { schema: { $ref: `#/components/schemas/${schemaName}` } } };
}

/** A JSON request body of the named component schema, with the example Swagger UI fills in. */
export function jsonRequest(
  schemaName: string,
  example: unknown,
  { required = true }: { required?: boolean } = {},
): OpenApiObject {
  return {
    required,
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${schemaName}` }, example } },
  };
}

/** Optional query parameters, one per property of a query-string schema. */
export function queryParameters(properties: Record<string, object>): OpenApiObject[] {
  return Object.entries(properties).map(([name, schema]) => ({ name, in: 'query', required: false, schema }));
}

/** The `dryRun` switch of the trigger calls: validate and preview, queue nothing. */
export function dryRunParameter(description: string): OpenApiObject {
  return {
    name: 'dryRun',
    in: 'query',
    required: false,
    schema: { type: 'boolean', default: false },
    description,
  };
}

export const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', description: 'Stable machine-readable error code.' },
    report: {
      type: 'object',
      properties: { additionalContext: { type: 'object' } },
    },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'code', 'message'],
        properties: {
          recipientIndex: { type: 'integer' },
          path: { type: 'string', description: 'JSON pointer into the request.' },
          code: { type: 'string' },
          message: { type: 'string' },
        },
      },
    },
  },
};

/**
 * Who may call an operation, which decides its security and the error answers every such
 * operation can give:
 * - `open`: no credentials (probes, this document);
 * - `signed`: no API key, but the provider's signature (webhooks); writes to the store;
 * - `api-key`: an API key with the right role and sandbox; the key is looked up in the store;
 * - `execution`: an API key, under the per-key rate limit of `/im/executions`, and writing to Redis.
 */
export type OperationAccess = 'open' | 'signed' | 'api-key' | 'execution';

const ref = (name: string) => ({ $ref: `#/components/responses/${name}` });

const STANDARD_ANSWERS: Record<OperationAccess, Record<string, OpenApiObject>> = {
  open: {},
  signed: { '401': ref('BadSignature'), '503': ref('Unavailable') },
  'api-key': { '401': ref('Unauthorized'), '403': ref('Forbidden'), '503': ref('Unavailable') },
  execution: {
    '401': ref('Unauthorized'),
    '403': ref('Forbidden'),
    '429': ref('RateLimited'),
    '503': ref('Unavailable'),
  },
};

/**
 * An operation with the answers every operation of its access kind (and every operation that
 * takes a body) can give, shared from `components.responses`; answers the operation lists itself
 * win, so a route can say more about its own 503. Operations without an API key say so with an
 * empty `security`, overriding the document's default.
 */
export function operation(access: OperationAccess, spec: OpenApiObject): OpenApiObject {
  const own = (spec.responses ?? {}) as Record<string, OpenApiObject>;
  const body = spec.requestBody as { content?: Record<string, unknown> } | undefined;
  const bodyAnswers: Record<string, OpenApiObject> = body
    ? {
        '413': ref('PayloadTooLarge'),
        ...(body.content?.['application/json'] ? { '415': ref('UnsupportedMediaType') } : {}),
      }
    : {};
  const merged: Record<string, OpenApiObject> = { ...STANDARD_ANSWERS[access], ...bodyAnswers, ...own };
  const responses = Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
  const needsKey = access === 'api-key' || access === 'execution';
  return { ...spec, ...(needsKey ? {} : { security: [] }), responses };
}

/** The path item of a GET anyone may call (probes, this document). */
export function openGet(
  operationId: string,
  summary: string,
  responses: Record<string, OpenApiObject>,
): OpenApiObject {
  return { get: operation('open', { operationId, summary, responses }) };
}

const retryAfter = {
  'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait before retrying.' },
};

/** The shared answers `operation` refers to. */
export const standardResponses: Record<string, OpenApiObject> = {
  Unauthorized: {
    ...problem,
    description:
      '`unauthorized`: no API key, or one Herald does not know (revoked, mistyped). With an access token: `token-invalid`, `token-expired` or `credential-revoked`.',
  },
  Forbidden: {
    ...problem,
    description:
      "`forbidden`: the key (or credential) lacks the operation's role, or may not address this sandbox. With an access token: `client-id-mismatch` or `org-mismatch`.",
  },
  BadSignature: {
    ...problem,
    description: "The provider's signature is missing, wrong or too old.",
  },
  RateLimited: {
    ...problem,
    description: '`rate-limited`: the API key made more calls this second than it may.',
    headers: retryAfter,
  },
  Unavailable: {
    ...problem,
    description:
      '`store-unavailable`, `queue-unavailable` (Redis cannot be reached) or `queue-full` (the delivery queue is too far behind): nothing was changed. Retry after `Retry-After` seconds.',
    headers: retryAfter,
  },
  PayloadTooLarge: { ...problem, description: '`payload-too-large`: the body exceeds API_MAX_BODY_BYTES.' },
  UnsupportedMediaType: {
    ...problem,
    description: '`unsupported-media-type`: the body is not `application/json`.',
  },
};

/** The API key, as either header the API reads (`Authorization: Bearer` or `x-api-key`). */
export const securitySchemes = {
  bearerApiKey: {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key as `Authorization: Bearer <key>`.',
  },
  apiKeyHeader: {
    type: 'apiKey',
    in: 'header',
    name: 'x-api-key',
    description: 'An API key as `x-api-key: <key>` (the same key; use either header).',
  },
  imsAccessToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'AJO style: an access token from `POST /ims/token/v3` as `Authorization: Bearer <token>`, sent with `imsClientId` and `imsOrgId`.',
  },
  imsClientId: {
    type: 'apiKey',
    in: 'header',
    name: 'x-api-key',
    description: "With an access token: the token's client id (403 `client-id-mismatch` otherwise).",
  },
  imsOrgId: {
    type: 'apiKey',
    in: 'header',
    name: 'x-gw-ims-org-id',
    description: "With an access token: the org id of the token's credential (403 `org-mismatch` otherwise).",
  },
};

/**
 * The default of every operation: an API key in either header (alternatives, not both at once),
 * or an access token with the two headers that go with it (all three at once).
 */
export const apiKeySecurity = [
  { bearerApiKey: [] },
  { apiKeyHeader: [] },
  { imsAccessToken: [], imsClientId: [], imsOrgId: [] },
];

/**
 * OpenAPI 3.1 is JSON Schema 2020-12, without 3.0's `nullable`; the validation schemas use Ajv's
 * `nullable` (needed by its `JSONSchemaType`), so the document states it as a `null` type instead.
 */
export function withoutNullable(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutNullable);
  if (schema === null || typeof schema !== 'object') return schema;
  const { nullable, ...rest } = schema as Record<string, unknown>;
  // Only the keyword (a boolean) goes; a property that happens to be named `nullable` stays.
  if (typeof nullable !== 'boolean') return mapValues(schema as Record<string, unknown>);
  const converted = mapValues(rest);
  if (!nullable) return converted;
  if (typeof converted.type === 'string') return { ...converted, type: [converted.type, 'null'] };
  if (Array.isArray(converted.type)) return { ...converted, type: [...converted.type, 'null'] };
  return { anyOf: [converted, { type: 'null' }] };
}

function mapValues(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, withoutNullable(value)]));
}
