import fc from 'fast-check';
import type { FuzzValue } from './json-text';

/** A JSON Schema as the OpenAPI document holds it (a boolean schema, or an object of keywords). */
export type JsonSchema = boolean | { [keyword: string]: unknown };

/** The document's `components.schemas`, which `$ref`s point into. */
export type SchemaComponents = Readonly<Record<string, JsonSchema>>;

/** Below this depth every schema generates a small value: keeps generated bodies small and finite. */
const MAX_DEPTH = 6;
/** Long enough to pass most `minLength`s; long strings are the mutations' job. */
const STRING_SPAN = 24;
/** Most items or free-form members generated per array or object. */
const COLLECTION_SPAN = 3;

/**
 * Values shaped by `schema`: mostly valid, not always (`if`/`then`, `not` and cross-field rules
 * are not followed). Valid enough to get past the first checks, so that the mutations applied
 * to them reach the code behind.
 */
export function schemaArbitrary(schema: JsonSchema, components: SchemaComponents): fc.Arbitrary<FuzzValue> {
  return arbitraryOf(schema, components, 0);
}

/** The schema a local `$ref` (`#/components/schemas/Name`) points at. */
function resolveRef(schema: JsonSchema, components: SchemaComponents): JsonSchema {
  if (typeof schema === 'boolean' || typeof schema.$ref !== 'string') return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  const target = components[name];
  if (target === undefined) throw new Error(`unresolved $ref ${schema.$ref}`);
  return resolveRef(target, components);
}

function arbitraryOf(
  input: JsonSchema,
  components: SchemaComponents,
  depth: number,
): fc.Arbitrary<FuzzValue> {
  const schema = resolveRef(input, components);
  if (schema === true) return smallJson();
  if (schema === false) return fc.constant(null);
  if ('const' in schema) return fc.constant(schema.const as FuzzValue);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as FuzzValue[]));
  const branches = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
  if (branches) {
    const { oneOf: _oneOf, anyOf: _anyOf, ...base } = schema;
    return fc.oneof(
      ...branches.map((branch) => arbitraryOf(merged(base, branch, components), components, depth)),
    );
  }
  const type = typeOf(schema);
  if (Array.isArray(type)) {
    return fc.oneof(...type.map((one: string) => arbitraryOf({ ...schema, type: one }, components, depth)));
  }
  switch (type) {
    case 'object':
      return objectArbitrary(schema, components, depth);
    case 'array':
      return arrayArbitrary(schema, components, depth);
    case 'string':
      return stringArbitrary(schema);
    case 'integer':
      return fc.integer({
        min: numberAt(schema.minimum, -1_000_000),
        max: numberAt(schema.maximum, 1_000_000),
      });
    case 'number':
      return fc.double({
        min: numberAt(schema.minimum, -1e9),
        max: numberAt(schema.maximum, 1e9),
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return smallJson();
  }
}

/** A `oneOf`/`anyOf` branch laid over the keywords beside it (their properties and required lists joined). */
function merged(
  base: { [keyword: string]: unknown },
  branch: JsonSchema,
  components: SchemaComponents,
): JsonSchema {
  const resolved = resolveRef(branch, components);
  if (typeof resolved === 'boolean') return resolved;
  return {
    ...base,
    ...resolved,
    properties: { ...(base.properties as object), ...(resolved.properties as object) },
    required: [...((base.required as string[]) ?? []), ...((resolved.required as string[]) ?? [])],
  };
}

function typeOf(schema: { [keyword: string]: unknown }): unknown {
  if (schema.type !== undefined) return schema.type;
  if (schema.properties !== undefined || schema.additionalProperties !== undefined) return 'object';
  if (schema.items !== undefined) return 'array';
  return undefined;
}

function numberAt(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

function objectArbitrary(
  schema: { [keyword: string]: unknown },
  components: SchemaComponents,
  depth: number,
): fc.Arbitrary<FuzzValue> {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  // Past the depth bound only the required members are generated.
  const names = Object.keys(properties).filter((name) => depth < MAX_DEPTH || required.has(name));
  const known = fc.record(
    Object.fromEntries(
      names.map((name) => [name, arbitraryOf(properties[name] ?? true, components, depth + 1)]),
    ),
    { requiredKeys: names.filter((name) => required.has(name)) },
  );
  const additional = schema.additionalProperties;
  if (additional === false || names.length > 0 || depth >= MAX_DEPTH) return known as fc.Arbitrary<FuzzValue>;
  // A map (free-form, or a schema for every member): a few members with keys of the right shape.
  const keys = keyArbitrary(schema.propertyNames);
  const values =
    additional === undefined || additional === true
      ? smallJson()
      : arbitraryOf(additional as JsonSchema, components, depth + 1);
  const maxKeys = Math.min(numberAt(schema.maxProperties, COLLECTION_SPAN), COLLECTION_SPAN);
  const minKeys = Math.min(numberAt(schema.minProperties, 0), maxKeys);
  return fc.dictionary(keys, values, { minKeys, maxKeys }) as fc.Arbitrary<FuzzValue>;
}

function keyArbitrary(propertyNames: unknown): fc.Arbitrary<string> {
  if (typeof propertyNames === 'object' && propertyNames !== null) {
    const pattern = (propertyNames as { pattern?: unknown }).pattern;
    if (typeof pattern === 'string') return patternArbitrary(pattern);
  }
  return fc.string({ minLength: 1, maxLength: 12 });
}

function arrayArbitrary(
  schema: { [keyword: string]: unknown },
  components: SchemaComponents,
  depth: number,
): fc.Arbitrary<FuzzValue> {
  const minLength = numberAt(schema.minItems, 0);
  const maxLength =
    depth >= MAX_DEPTH ? minLength : Math.min(numberAt(schema.maxItems, 10_000), minLength + COLLECTION_SPAN);
  const items = arbitraryOf((schema.items as JsonSchema | undefined) ?? true, components, depth + 1);
  return schema.uniqueItems === true
    ? fc.uniqueArray(items, { minLength, maxLength, selector: (item) => JSON.stringify(item) })
    : fc.array(items, { minLength, maxLength });
}

function stringArbitrary(schema: { [keyword: string]: unknown }): fc.Arbitrary<string> {
  const minLength = numberAt(schema.minLength, 0);
  const maxLength = numberAt(schema.maxLength, Number.MAX_SAFE_INTEGER);
  const pattern = typeof schema.pattern === 'string' ? new RegExp(schema.pattern, 'u') : undefined;
  const base =
    formatArbitrary(schema.format) ??
    (typeof schema.pattern === 'string'
      ? patternArbitrary(schema.pattern)
      : fc.string({ minLength, maxLength: Math.min(maxLength, minLength + STRING_SPAN) }));
  return base.filter(
    (text) =>
      text.length >= minLength && text.length <= maxLength && (pattern === undefined || pattern.test(text)),
  );
}

function formatArbitrary(format: unknown): fc.Arbitrary<string> | undefined {
  switch (format) {
    case 'email':
      return fc.emailAddress();
    case 'uri':
      return fc.webUrl({ validSchemes: ['https'] });
    case 'date-time':
      return fc
        .date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2100-01-01T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((date) => date.toISOString());
    default:
      return undefined;
  }
}

/**
 * Strings matching `pattern`. fast-check cannot generate from lookarounds: they are dropped for
 * generation, and the caller's filter on the whole pattern keeps only what they allow.
 */
function patternArbitrary(pattern: string): fc.Arbitrary<string> {
  const generable = pattern.replace(/\(\?[=!][^)]*\)/g, '');
  const whole = new RegExp(pattern, 'u');
  return fc.stringMatching(new RegExp(generable)).filter((text) => whole.test(text));
}

/** A small JSON value for free-form members (a context, a profile's attributes). */
function smallJson(): fc.Arbitrary<FuzzValue> {
  return fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<FuzzValue>;
}
