import type { BodyFormat } from './body-mutations';
import type { FuzzValue } from './json-text';
import type { Parameter } from './parameter-values';
import type { JsonSchema, SchemaComponents } from './schema-arbitrary';

/** One operation of the document, with what the fuzz needs to build its requests. */
export interface FuzzOperation {
  /** `METHOD /path/{template}`, as the document lists it. */
  name: string;
  method: string;
  template: string;
  parameters: Parameter[];
  bodyFormat: BodyFormat;
  bodySchema: JsonSchema;
  /** The document's example body, valid by the document's own tests. */
  bodyExample: FuzzValue | undefined;
  /** False for the probes, the description, the signed webhooks and the token request. */
  needsApiKey: boolean;
  /** Each documented status (`400`…) and the media types of its answer. */
  responses: Record<string, string[]>;
}

interface DocumentOperation {
  security?: unknown[];
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: JsonSchema }>;
  requestBody?: { content?: Record<string, { schema?: JsonSchema; example?: unknown }> };
  responses?: Record<string, { $ref?: string; content?: Record<string, unknown> }>;
}

/** The parts of the OpenAPI document the fuzz reads. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, DocumentOperation>>;
  components: {
    schemas: SchemaComponents;
    responses?: Record<string, { content?: Record<string, unknown> }>;
  };
}

const BODY_FORMATS: Record<string, BodyFormat> = {
  'application/json': 'json',
  'application/x-www-form-urlencoded': 'form',
};

/** Every operation of the document, in its order. */
export function operationsOf(document: OpenApiDocument): FuzzOperation[] {
  return Object.entries(document.paths).flatMap(([template, operations]) =>
    Object.entries(operations).map(([method, operation]) =>
      fuzzOperation(document, template, method, operation),
    ),
  );
}

function fuzzOperation(
  document: OpenApiDocument,
  template: string,
  method: string,
  operation: DocumentOperation,
): FuzzOperation {
  const [mediaType, body] = Object.entries(operation.requestBody?.content ?? {})[0] ?? [];
  const bodyFormat = mediaType === undefined ? 'none' : BODY_FORMATS[mediaType];
  if (bodyFormat === undefined) throw new Error(`${method} ${template}: no fuzz for ${mediaType} bodies`);
  return {
    name: `${method.toUpperCase()} ${template}`,
    method: method.toUpperCase(),
    template,
    parameters: (operation.parameters ?? []).map((parameter) => ({
      name: parameter.name,
      in: parameter.in as Parameter['in'],
      required: parameter.required === true,
      schema: parameter.schema ?? true,
    })),
    bodyFormat,
    bodySchema: body?.schema ?? true,
    bodyExample: body?.example as FuzzValue | undefined,
    needsApiKey: operation.security === undefined || operation.security.length > 0,
    responses: Object.fromEntries(
      Object.entries(operation.responses ?? {}).map(([status, response]) => {
        const resolved = response.$ref
          ? document.components.responses?.[response.$ref.replace('#/components/responses/', '')]
          : response;
        return [status, Object.keys(resolved?.content ?? {})];
      }),
    ),
  };
}
