import fc from 'fast-check';
import {
  bodyMutationArbitrary,
  describeMutation,
  sentBody,
  type BodyMutation,
  type SentBody,
} from './body-mutations';
import type { FuzzValue } from './json-text';
import type { FuzzOperation } from './openapi-operations';
import { extraQueryArbitrary, parameterArbitrary, type ParameterValue } from './parameter-values';
import { schemaArbitrary, type SchemaComponents } from './schema-arbitrary';

/** A request as sent: everything needed to send it again, and to report it. */
export interface FuzzRequest {
  operation: string;
  method: string;
  /** Path and query, in URL syntax. */
  url: string;
  headers: Record<string, string>;
  body: SentBody;
  mutation: BodyMutation;
}

/** What the fuzz knows of the seeded resources, to aim some requests at things that exist. */
export interface KnownValues {
  /** Values for the path parameter `name` of `template` (ids of seeded resources). */
  pathValues(template: string, name: string): readonly string[];
  /** Well-formed bodies for the operation besides generated ones (its example, aimed at seeds). */
  bodies(operation: FuzzOperation): readonly FuzzValue[];
  /** The headers that sign `request` as its provider would (a signed webhook), else undefined. */
  sign(request: FuzzRequest): Record<string, string> | undefined;
}

/** Requests for `operation`: schema-derived parameters and body, each possibly mutated. */
export function requestArbitrary(
  operation: FuzzOperation,
  components: SchemaComponents,
  known: KnownValues,
  apiKey: string,
): fc.Arbitrary<FuzzRequest> {
  const parameters = fc.tuple(
    ...operation.parameters.map((parameter) =>
      parameterArbitrary(
        parameter,
        parameter.in === 'path' ? known.pathValues(operation.template, parameter.name) : [],
        components,
      ),
    ),
  );
  const bodies = known.bodies(operation);
  const generated = schemaArbitrary(operation.bodySchema, components);
  const base = bodies.length > 0 ? fc.oneof(fc.constantFrom(...bodies), generated) : generated;
  // An operation without a body mostly gets none; sometimes one it does not expect.
  const mutation =
    operation.bodyFormat === 'none'
      ? fc.oneof(
          { weight: 4, arbitrary: fc.constant<BodyMutation>({ kind: 'none' }) },
          bodyMutationArbitrary(),
        )
      : bodyMutationArbitrary();
  return fc
    .record({ parameters, base, mutation, extraQuery: extraQueryArbitrary(), signed: fc.boolean() })
    .map(({ parameters: values, base: body, mutation: change, extraQuery, signed }) => {
      const request = buildRequest(
        operation,
        values,
        sentBody(operation.bodyFormat, body, change),
        change,
        extraQuery,
        apiKey,
      );
      // Half the webhook calls carry a valid signature, so that their bodies reach the handler.
      const signature = signed ? known.sign(request) : undefined;
      return signature ? { ...request, headers: { ...request.headers, ...signature } } : request;
    });
}

function buildRequest(
  operation: FuzzOperation,
  values: ParameterValue[],
  body: SentBody,
  mutation: BodyMutation,
  extraQuery: string | undefined,
  apiKey: string,
): FuzzRequest {
  let path = operation.template;
  const query: string[] = [];
  const headers: Record<string, string> = {};
  for (const { name, in: place, value } of values) {
    if (place === 'path') path = path.replace(`{${name}}`, value ?? '');
    else if (value === undefined) continue;
    else if (place === 'query') query.push(`${name}=${value}`);
    else headers[name.toLowerCase()] = value;
  }
  if (extraQuery !== undefined) query.push(extraQuery);
  if (operation.needsApiKey) headers.authorization = `Bearer ${apiKey}`;
  if (body.contentType !== undefined) headers['content-type'] = body.contentType;
  if (body.contentEncoding !== undefined) headers['content-encoding'] = body.contentEncoding;
  return {
    operation: operation.name,
    method: operation.method,
    url: query.length > 0 ? `${path}?${query.join('&')}` : path,
    headers,
    body,
    mutation,
  };
}

/** The request in a few lines for a failure report: no key, no huge body. */
export function describeRequest(request: FuzzRequest): string {
  const { authorization: _authorization, ...headers } = request.headers;
  const bytes = request.body.bytes;
  const body =
    bytes === undefined
      ? '(none)'
      : `${bytes.length} bytes: ${bytes.subarray(0, 300).toString('utf8')}${bytes.length > 300 ? '…' : ''}`;
  return [
    `${request.method} ${request.url.length > 300 ? `${request.url.slice(0, 300)}…` : request.url}`,
    `headers: ${JSON.stringify(headers)}`,
    `mutation: ${describeMutation(request.mutation).slice(0, 300)}`,
    `body: ${body}`,
  ].join('\n');
}
