import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

/** AJO's published API definition, a verbatim copy (see its header for the source). */
const DOCUMENT_FILE = path.join(__dirname, 'fixtures', 'messaging.yaml');

type Json = Record<string, unknown>;

interface Parameter {
  name: string;
  in: 'header' | 'path' | 'query';
  required: boolean;
}

/** One operation of the document, as a generated client knows it. */
export interface Operation {
  operationId: string;
  method: 'GET' | 'POST' | 'DELETE';
  pathTemplate: string;
  parameters: readonly Parameter[];
  /** JSON pointer of the request body's schema inside the document. */
  requestSchema?: string;
  /** JSON pointer of each answer's schema, by status code. */
  responseSchemas: Readonly<Record<string, string | undefined>>;
}

export interface AjoDocument {
  serverUrl: string;
  operations: ReadonlyMap<string, Operation>;
  /** The body schema of `operationId`'s request, as AJO publishes it. */
  validateRequest(operationId: string, body: unknown): string | undefined;
  /** Checks an answer against AJO's schema for its status; the error text, or undefined. */
  validateResponse(operationId: string, status: number, body: unknown): string | undefined;
}

const pointer = (...segments: string[]) =>
  `#/${segments.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;

function resolve(document: Json, value: unknown): Json {
  const ref = (value as Json).$ref;
  if (typeof ref !== 'string') return value as Json;
  return ref
    .slice(2)
    .split('/')
    .reduce<Json>((node, key) => node[key.replace(/~1/g, '/').replace(/~0/g, '~')] as Json, document);
}

/**
 * The document with every object schema closed (`additionalProperties: false`) unless it states
 * its own `additionalProperties`: an answer may carry only the fields AJO documents, except where
 * AJO's schema itself allows more (profile, context, an error's `additionalContext`).
 */
function closeObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (node === null || typeof node !== 'object') return node;
  const copy = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, closeObjects(v)])) as Json;
  const isObjectSchema = copy.type === 'object' || (copy.properties !== undefined && copy.type === undefined);
  if (isObjectSchema && !('additionalProperties' in copy)) copy.additionalProperties = false;
  return copy;
}

/**
 * RFC 9457 members Herald's error bodies add to AJO's `errorResponse` (`type`, `title`, `status`,
 * `report`): the issue keeps them on purpose, so they are the one allowed extension.
 */
const HERALD_PROBLEM_MEMBERS = {
  detail: { type: 'string' },
  code: { type: 'string' },
  errors: { type: 'array' },
};

function withHeraldProblemMembers(document: Json): Json {
  const schemas = (document.components as Json).schemas as Json;
  const errorResponse = schemas.errorResponse as Json;
  const properties = { ...(errorResponse.properties as Json), ...HERALD_PROBLEM_MEMBERS };
  return {
    ...document,
    components: {
      ...(document.components as Json),
      schemas: { ...schemas, errorResponse: { ...errorResponse, properties } },
    },
  };
}

/**
 * OpenAPI's `discriminator` made JSON Schema: AJO's recipients match both `oneOf` branches by shape
 * alone, and its `type` (`aep` or `external`) says which applies; ajv's own `discriminator` wants
 * a `const` in each branch, which AJO's schemas do not state.
 */
function applyDiscriminators(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(applyDiscriminators);
  if (node === null || typeof node !== 'object') return node;
  const copy = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, applyDiscriminators(v)])) as Json;
  const discriminator = copy.discriminator as
    { propertyName: string; mapping: Record<string, string> } | undefined;
  if (!discriminator || !Array.isArray(copy.oneOf)) return copy;
  const { discriminator: _discriminator, oneOf: _oneOf, ...rest } = copy;
  const tag = discriminator.propertyName;
  return {
    ...rest,
    required: [tag],
    properties: { [tag]: { enum: Object.keys(discriminator.mapping) } },
    allOf: Object.entries(discriminator.mapping).map(([value, ref]) => ({
      if: { properties: { [tag]: { const: value } } },
      then: { $ref: ref },
    })),
  };
}

function validatorOf(document: Json, id: string): (schemaPointer: string) => ValidateFunction {
  // OpenAPI 3.0 keywords (`example`, `discriminator`) are not JSON Schema: not strict.
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema(document, id);
  const compiled = new Map<string, ValidateFunction>();
  return (schemaPointer) => {
    const known = compiled.get(schemaPointer);
    if (known) return known;
    const validate = ajv.compile({ $ref: `${id}${schemaPointer}` });
    compiled.set(schemaPointer, validate);
    return validate;
  };
}

const METHODS = ['get', 'post', 'delete'] as const;

export function loadAjoDocument(): AjoDocument {
  const document = parse(readFileSync(DOCUMENT_FILE, 'utf8')) as Json;
  const operations = new Map<string, Operation>();
  for (const [pathTemplate, pathItem] of Object.entries(document.paths as Record<string, Json>)) {
    const shared = ((pathItem.parameters as unknown[]) ?? []).map((p) => resolve(document, p));
    for (const method of METHODS) {
      const operation = pathItem[method] as Json | undefined;
      if (!operation || typeof operation.operationId !== 'string') continue;
      const own = ((operation.parameters as unknown[]) ?? []).map((p) => resolve(document, p));
      const responses = operation.responses as Record<string, Json>;
      const base = ['paths', pathTemplate, method];
      operations.set(operation.operationId, {
        operationId: operation.operationId,
        method: method.toUpperCase() as Operation['method'],
        pathTemplate,
        parameters: [...shared, ...own].map((p) => ({
          name: String(p.name),
          in: p.in as Parameter['in'],
          required: p.required === true,
        })),
        requestSchema: operation.requestBody
          ? pointer(...base, 'requestBody', 'content', 'application/json', 'schema')
          : undefined,
        responseSchemas: Object.fromEntries(
          Object.entries(responses).map(([status, response]) => [
            status,
            (response.content as Json | undefined)?.['application/json']
              ? pointer(...base, 'responses', status, 'content', 'application/json', 'schema')
              : undefined,
          ]),
        ),
      });
    }
  }
  const requestValidator = validatorOf(applyDiscriminators(document) as Json, 'ajo-published');
  const responseValidator = validatorOf(
    withHeraldProblemMembers(applyDiscriminators(closeObjects(document)) as Json),
    'ajo-closed',
  );
  const operationOf = (operationId: string) => {
    const operation = operations.get(operationId);
    if (!operation) throw new Error(`AJO's document has no operation ${operationId}`);
    return operation;
  };
  const check = (validate: ValidateFunction, value: unknown) =>
    validate(value) ? undefined : JSON.stringify(validate.errors);
  return {
    serverUrl: ((document.servers as Json[]).find((s) => String(s.url).includes('platform.adobe.io')) ??
      (document.servers as Json[])[0])!.url as string,
    operations,
    validateRequest: (operationId, body) => {
      const schema = operationOf(operationId).requestSchema;
      return schema ? check(requestValidator(schema), body) : undefined;
    },
    validateResponse: (operationId, status, body) => {
      const responseSchemas = operationOf(operationId).responseSchemas;
      if (!(String(status) in responseSchemas)) {
        return `status ${status} is not one AJO documents for ${operationId}`;
      }
      const schema = responseSchemas[String(status)];
      return schema ? check(responseValidator(schema), body) : undefined;
    },
  };
}

export interface AjoAnswer {
  status: number;
  contentType: string | null;
  body: unknown;
}

export interface AjoCall {
  pathParameters?: Record<string, string>;
  body?: unknown;
}

/**
 * What a client generated from AJO's document does: fills the path template under the base URL,
 * sends every header parameter (refusing to call without a required one) and the JSON body.
 * `headers` gives the header parameters' values, the credentials among them.
 */
export class AjoClient {
  constructor(
    private readonly document: AjoDocument,
    private readonly baseUrl: string,
    private readonly headers: () => Record<string, string>,
  ) {}

  async call(operationId: string, { pathParameters = {}, body }: AjoCall = {}): Promise<AjoAnswer> {
    const operation = this.document.operations.get(operationId);
    if (!operation) throw new Error(`AJO's document has no operation ${operationId}`);
    const invalidRequest = this.document.validateRequest(operationId, body);
    if (invalidRequest) throw new Error(`the test's own ${operationId} body is not AJO's: ${invalidRequest}`);
    const values = this.headers();
    const headers: Record<string, string> = { authorization: values.authorization ?? '' };
    for (const parameter of operation.parameters.filter((p) => p.in === 'header')) {
      const value = values[parameter.name];
      if (value !== undefined) headers[parameter.name] = value;
      else if (parameter.required) throw new Error(`${operationId} requires the header ${parameter.name}`);
    }
    const route = operation.pathTemplate.replace(/\{(\w+)\}/g, (_whole, name: string) => {
      const value = pathParameters[name];
      if (value === undefined) throw new Error(`${operationId} requires the path parameter ${name}`);
      return encodeURIComponent(value);
    });
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${route}`, {
      method: operation.method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: text === '' ? undefined : (JSON.parse(text) as unknown),
    };
  }
}

/**
 * The base URL a client configured for Herald uses: AJO's server URL with its host replaced by
 * Herald's, so its path (`/ajo`) stays; or, `keepServerPath` false, Herald's own `/im/...` root.
 */
export function heraldBaseUrl(document: AjoDocument, heraldUrl: string, keepServerPath: boolean): string {
  const server = new URL(document.serverUrl);
  const herald = new URL(heraldUrl);
  return `${herald.origin}${keepServerPath ? server.pathname.replace(/\/$/, '') : ''}`;
}
