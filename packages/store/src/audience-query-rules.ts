import type { FieldError } from '@herald/errors';

/** What an audience query may contain: its bounds, operators, types and addressable fields. */

export const AUDIENCE_QUERY_MAX_DEPTH = 10;
export const AUDIENCE_QUERY_MAX_BYTES = 16 * 1024;
export const MAX_PATH_LENGTH = 256;
export const MAX_LIST = 1000;
export const MAX_REGEX_LENGTH = 256;
export const MAX_ERRORS = 20;

export const LOGICAL_OPERATORS = new Set(['$and', '$or', '$nor']);
export const FIELD_OPERATORS = new Set([
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$exists',
  '$regex',
  '$options',
  '$not',
  '$elemMatch',
  '$size',
  '$all',
  '$type',
]);
/** Every operator an audience query may run (`$options` only modifies `$regex`). */
export const AUDIENCE_QUERY_OPERATORS: ReadonlySet<string> = new Set(
  [...LOGICAL_OPERATORS, ...FIELD_OPERATORS].filter((operator) => operator !== '$options'),
);
/** Operators whose operand is one value, compared with the field. */
export const COMPARISONS = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte']);
/** Operators that make sense on the two date fields. */
export const DATE_OPERATORS = new Set([...COMPARISONS, '$in', '$nin', '$exists', '$not', '$type']);
export const AUDIENCE_QUERY_TYPES = ['string', 'number', 'bool', 'object', 'array', 'null', 'date'] as const;
export const TYPES: ReadonlySet<string> = new Set(AUDIENCE_QUERY_TYPES);

/** Top-level fields a query may address: never `sandbox`, `_id` or push subscriptions. */
export const NESTED_ROOTS = new Set(['attributes', 'consents']);
export const ANY_DEPTH_ROOTS = new Set(['identities']);
export const SCALAR_ROOTS = new Set(['preferredLanguage', 'timezone']);
export const DATE_FIELDS = new Set(['createdAt', 'updatedAt']);
/** Segments that would walk a JavaScript prototype in mingo. */
export const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

export const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A query too deep or too large to check at all, as one problem. */
export function checkQuerySize(query: unknown, at: string): FieldError | undefined {
  if (depthOf(query, 0) > AUDIENCE_QUERY_MAX_DEPTH) {
    return {
      path: at,
      code: 'too-deep',
      message: `The query may nest objects and arrays at most ${AUDIENCE_QUERY_MAX_DEPTH} levels deep.`,
    };
  }
  if (Buffer.byteLength(JSON.stringify(query) ?? '', 'utf8') > AUDIENCE_QUERY_MAX_BYTES) {
    return {
      path: at,
      code: 'too-large',
      message: `The query may be at most ${AUDIENCE_QUERY_MAX_BYTES} bytes of JSON.`,
    };
  }
  return undefined;
}

/** Stops counting one level past the limit, so a hostile query costs no more than that. */
function depthOf(value: unknown, depth: number): number {
  if (typeof value !== 'object' || value === null) return depth;
  if (depth > AUDIENCE_QUERY_MAX_DEPTH) return depth + 1;
  const children = Array.isArray(value) ? value : Object.values(value);
  return children.reduce<number>((deepest, child) => Math.max(deepest, depthOf(child, depth + 1)), depth + 1);
}
