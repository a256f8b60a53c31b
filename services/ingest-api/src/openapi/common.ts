/** Pieces every part of the OpenAPI document uses. */

export type OpenApiObject = Record<string, unknown>;

/** The paths and component schemas one area of the API contributes to the document. */
export interface OpenApiPart {
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
