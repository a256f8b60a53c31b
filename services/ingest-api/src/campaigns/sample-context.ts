import type { JsonSchemaObject } from '@herald/contracts';
import { MAX_STRING, patternSample } from './pattern-sample';

export interface SampleOptions {
  /** Include properties that are not required (default true: templates may use them). */
  optional?: boolean;
}

type Schema = Record<string, unknown>;

/** Deeper than this a (recursive) schema stops producing values. */
const MAX_DEPTH = 12;
/** Bounds what a hostile schema (`minItems: 1e9`) can make us build. */
const MAX_ITEMS = 50;
/**
 * Values one sample may build: depth alone does not bound a schema whose properties all `$ref`
 * the root (width^depth values), and building runs synchronously in the API process.
 */
const MAX_VALUES = 2_000;

/** Values that satisfy the common string formats. */
const FORMAT_SAMPLES: Record<string, string> = {
  email: 'jane.doe@example.com',
  'idn-email': 'jane.doe@example.com',
  'date-time': '2030-01-15T09:30:00Z',
  date: '2030-01-15',
  time: '09:30:00Z',
  duration: 'P1D',
  uri: 'https://example.com/sample',
  'uri-reference': 'https://example.com/sample',
  iri: 'https://example.com/sample',
  'iri-reference': 'https://example.com/sample',
  url: 'https://example.com/sample',
  'uri-template': 'https://example.com/{id}',
  hostname: 'example.com',
  'idn-hostname': 'example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  uuid: '123e4567-e89b-42d3-a456-426614174000',
  regex: '.*',
  'json-pointer': '/sample',
  'relative-json-pointer': '0',
  byte: 'c2FtcGxl',
};

/**
 * A value that satisfies `schema` in the common cases: `const`, `enum`, `examples`, `default`,
 * string formats, simple patterns and length bounds, number bounds and `multipleOf`, array
 * `minItems`, nested objects, local `$ref`s, `allOf` (merged) and `anyOf`/`oneOf` (first branch).
 * Strings that have no format or pattern are named after their property, so a rendered sample
 * shows where each value went.
 */
export function sampleFromSchema(schema: JsonSchemaObject, options: SampleOptions = {}): unknown {
  return new SampleBuilder(schema, options.optional ?? true).sample(schema, 'value', 0);
}

class SampleBuilder {
  private valuesLeft = MAX_VALUES;

  constructor(
    private readonly root: Schema,
    private readonly optional: boolean,
  ) {}

  sample(node: unknown, name: string, depth: number): unknown {
    if (!isObject(node) || depth > MAX_DEPTH || this.valuesLeft <= 0) return undefined;
    this.valuesLeft -= 1;
    if ('const' in node) return node.const;
    if (Array.isArray(node.enum) && node.enum.length > 0) return node.enum[0];
    if (Array.isArray(node.examples) && node.examples.length > 0) return node.examples[0];
    if ('default' in node) return node.default;
    if (typeof node.$ref === 'string') {
      const target = this.resolve(node.$ref);
      if (target) return this.sample(target, name, depth + 1);
    }
    if (Array.isArray(node.allOf) && node.allOf.length > 0) return this.allOf(node, name, depth);
    const type = typeOf(node);
    if (type === undefined) {
      const branches = Array.isArray(node.anyOf) ? node.anyOf : node.oneOf;
      if (Array.isArray(branches) && branches.length > 0) return this.sample(branches[0], name, depth + 1);
    }
    switch (type) {
      case 'object':
        return this.object(node, depth);
      case 'array':
        return this.array(node, name, depth);
      case 'integer':
      case 'number':
        return sampleNumber(node, type === 'integer');
      case 'boolean':
        return true;
      case 'null':
        return null;
      default:
        return sampleString(node, name);
    }
  }

  private allOf(node: Schema, name: string, depth: number): unknown {
    const { allOf, ...own } = node;
    const parts = [own, ...(allOf as unknown[])]
      .filter((part) => isObject(part) && (part === own ? typeOf(own) !== undefined : true))
      .map((part) => this.sample(part, name, depth + 1))
      .filter((value) => value !== undefined);
    if (parts.length > 0 && parts.every(isObject)) return Object.assign({}, ...parts);
    return parts[0];
  }

  private object(node: Schema, depth: number): Record<string, unknown> {
    const properties = isObject(node.properties) ? node.properties : {};
    const required = Array.isArray(node.required)
      ? node.required.filter((key): key is string => typeof key === 'string')
      : [];
    const names = this.optional ? [...new Set([...required, ...Object.keys(properties)])] : required;
    const result: Record<string, unknown> = {};
    for (const key of names) {
      const value = key in properties ? this.sample(properties[key], key, depth + 1) : `sample-${key}`;
      if (value !== undefined) result[key] = value;
    }
    return result;
  }

  private array(node: Schema, name: string, depth: number): unknown[] {
    const minItems = typeof node.minItems === 'number' ? node.minItems : 0;
    const maxItems = typeof node.maxItems === 'number' ? node.maxItems : Infinity;
    const count = Math.min(Math.max(minItems, 1), maxItems, MAX_ITEMS);
    const prefix = Array.isArray(node.prefixItems) ? node.prefixItems : [];
    const items: unknown[] = [];
    for (let index = 0; index < count; index += 1) {
      const itemSchema = index < prefix.length ? prefix[index] : node.items;
      const value = this.sample(itemSchema ?? {}, name, depth + 1);
      items.push(value === undefined ? `sample-${name}` : value);
    }
    return items;
  }

  /** Local references only (`#`, `#/$defs/…`, `#/definitions/…`); others yield no sample. */
  private resolve(ref: string): Schema | undefined {
    if (!ref.startsWith('#')) return undefined;
    let node: unknown = this.root;
    for (const raw of ref.slice(1).split('/').slice(1)) {
      const segment = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      node = isObject(node) ? node[segment] : undefined;
    }
    return isObject(node) ? node : undefined;
  }
}

function typeOf(node: Schema): string | undefined {
  if (typeof node.type === 'string') return node.type;
  if (Array.isArray(node.type)) {
    const types = node.type.filter((t): t is string => typeof t === 'string');
    return types.find((t) => t !== 'null') ?? types[0];
  }
  if ('properties' in node || 'required' in node || 'additionalProperties' in node) return 'object';
  if ('items' in node || 'prefixItems' in node || 'minItems' in node) return 'array';
  if ('minimum' in node || 'maximum' in node || 'multipleOf' in node) return 'number';
  if ('format' in node || 'pattern' in node || 'minLength' in node || 'maxLength' in node) return 'string';
  return undefined;
}

function sampleString(node: Schema, name: string): string {
  if (typeof node.format === 'string' && node.format in FORMAT_SAMPLES) {
    return FORMAT_SAMPLES[node.format] as string;
  }
  if (typeof node.pattern === 'string') {
    const matching = patternSample(node.pattern);
    if (matching !== undefined) return matching;
  }
  const minLength = Math.min(typeof node.minLength === 'number' ? node.minLength : 0, MAX_STRING);
  const maxLength = typeof node.maxLength === 'number' ? node.maxLength : Infinity;
  const base = `sample-${name}`.padEnd(minLength, 'x');
  return [...base].slice(0, maxLength).join('');
}

function sampleNumber(node: Schema, integer: boolean): number {
  const num = (key: string): number | undefined => (typeof node[key] === 'number' ? node[key] : undefined);
  const step = integer ? 1 : 0.5;
  const exclusiveMin = num('exclusiveMinimum');
  const exclusiveMax = num('exclusiveMaximum');
  const lows = [num('minimum'), exclusiveMin === undefined ? undefined : exclusiveMin + step];
  const highs = [num('maximum'), exclusiveMax === undefined ? undefined : exclusiveMax - step];
  const low = Math.max(...lows.filter((n): n is number => n !== undefined), -Infinity);
  const high = Math.min(...highs.filter((n): n is number => n !== undefined), Infinity);
  let value = Math.min(Math.max(1, low), high);
  if (integer) value = Math.ceil(value) <= high ? Math.ceil(value) : Math.floor(value);
  const multipleOf = num('multipleOf');
  if (multipleOf !== undefined && multipleOf > 0) {
    const up = Math.ceil(value / multipleOf) * multipleOf;
    value = up <= high ? up : Math.floor(value / multipleOf) * multipleOf;
  }
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
