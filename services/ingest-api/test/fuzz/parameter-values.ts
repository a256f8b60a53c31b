import fc from 'fast-check';
import { jsonText } from './json-text';
import { percentEncode } from './percent-encoding';
import { schemaArbitrary, type JsonSchema, type SchemaComponents } from './schema-arbitrary';

/** A parameter of an operation, as the OpenAPI document declares it. */
export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: JsonSchema;
}

/**
 * Path segments, already in URL syntax, that routers and decoders trip on: bad or overlong
 * %-escapes, invalid UTF-8, dot segments, encoded slashes, prototype names, numbers out of range.
 */
const ODD_SEGMENTS = [
  '%',
  '%zz',
  '%00',
  '%2F',
  '%2f..%2f',
  '..',
  '.',
  '%2e%2e',
  '%ED%A0%80',
  '%C0%AF',
  '%FF%FE',
  '%0D%0A',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  '-1',
  '0',
  '1e309',
  '99999999999999999999',
  'NaN',
  'null',
  '%5B%5D',
  '%7B%7D',
  '%20',
  '*',
  ';',
  'a;b=c',
  // Kept under Node's 16 KB limit on the request head: past it Node's HTTP parser answers before
  // Express runs, which the API process's `clientError` handler turns into problem+json
  // (src/http/client-error.ts, tested there); this suite serves the app without that process.
  'x'.repeat(4000),
];

/** Query values, in URL syntax, of the wrong type or range, or that do not decode. */
const ODD_QUERY_VALUES = [
  '',
  '-1',
  '0',
  '1e309',
  'NaN',
  'abc',
  '%00',
  '%ED%A0%80',
  '%',
  '501',
  '1.5',
  'true',
  '%5B%5D',
];

/** Header values (Node's client refuses CR, LF and NUL in a header, as any proxy would). */
const ODD_HEADER_VALUES = [
  '',
  ' ',
  'PROD',
  'a b',
  '__proto__',
  'constructor',
  '../etc',
  'x'.repeat(300),
  '"',
  'W/"1"',
  '*',
];

/** What one parameter is sent as: absent, or a value already in the syntax of its place. */
export type ParameterValue = { name: string; in: Parameter['in']; value: string | undefined };

/**
 * A parameter's value: mostly a usable one (a seeded resource's id, the documented default),
 * else one the schema allows, or an odd one; optional parameters are also left out, and a query
 * parameter is sometimes repeated. Usable values dominate so that most requests get past the
 * parameters to what the body mutations aim at.
 */
export function parameterArbitrary(
  parameter: Parameter,
  known: readonly string[],
  components: SchemaComponents,
): fc.Arbitrary<ParameterValue> {
  const valid = schemaArbitrary(parameter.schema, components).map((value) =>
    typeof value === 'string' ? value : jsonText(value),
  );
  const documented = typeof parameter.schema === 'object' ? parameter.schema.default : undefined;
  const usable = documented === undefined ? known : [...known, String(documented)];
  const likely = usable.length > 0 ? fc.constantFrom(...usable) : valid;
  const omitted = fc.constant(undefined);
  let value: fc.Arbitrary<string | undefined>;
  switch (parameter.in) {
    case 'path':
      value = fc.oneof(
        { weight: 5, arbitrary: likely.map(percentEncode) },
        { weight: 2, arbitrary: valid.map(percentEncode) },
        fc.constantFrom(...ODD_SEGMENTS),
        fc.string({ unit: 'binary', maxLength: 40 }).map(percentEncode),
      );
      break;
    case 'query':
      value = fc.oneof(
        { weight: 4, arbitrary: omitted },
        { weight: 4, arbitrary: likely.map(percentEncode) },
        { weight: 2, arbitrary: valid.map(percentEncode) },
        fc.constantFrom(...ODD_QUERY_VALUES),
        // Repeated: `?limit=1&limit=2` parses to an array where a string is expected.
        fc.tuple(valid, valid).map(([a, b]) => `${percentEncode(a)}&${parameter.name}=${percentEncode(b)}`),
      );
      break;
    case 'header':
      value = fc.oneof(
        { weight: 5, arbitrary: omitted },
        { weight: 5, arbitrary: likely.filter((text) => /^[\x20-\x7e]*$/.test(text)) },
        valid.filter((text) => /^[\x20-\x7e]*$/.test(text)),
        fc.constantFrom(...ODD_HEADER_VALUES),
        fc.stringMatching(/^[\x20-\x7e]{0,80}$/),
      );
      break;
  }
  return value.map((sent) => ({ name: parameter.name, in: parameter.in, value: sent }));
}

/** Query members the operation does not declare, prototype names among them. */
export function extraQueryArbitrary(): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    fc.constantFrom('__proto__=1', 'constructor=x', 'a[b]=1', 'unknown=1', '=', '&&&', '%00=%00'),
  );
}
