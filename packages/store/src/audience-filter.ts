import { ValidationError, type FieldError } from '@herald/errors';
import { isSafeRegex, userPatternProblem } from './safe-regex';
import {
  ANY_DEPTH_ROOTS,
  AUDIENCE_QUERY_TYPES,
  COMPARISONS,
  DATE_FIELDS,
  DATE_OPERATORS,
  FIELD_OPERATORS,
  FORBIDDEN_SEGMENTS,
  ISO_TIMESTAMP,
  LOGICAL_OPERATORS,
  MAX_ERRORS,
  MAX_LIST,
  MAX_PATH_LENGTH,
  MAX_REGEX_LENGTH,
  NESTED_ROOTS,
  SCALAR_ROOTS,
  TYPES,
  checkQuerySize,
} from './audience-query-rules';

/**
 * Audience queries: a subset of the MongoDB query language over profile documents, chosen so
 * that MongoDB and mingo (the embedded store) give the same answer.
 *
 * The document a query sees is `{identities: [{namespace, id}], attributes, preferredLanguage?,
 * timezone?, consents, createdAt, updatedAt}`, with `createdAt`/`updatedAt` as dates: MongoDB
 * stores BSON dates, so the embedded store rebuilds `Date`s too, and ISO-8601 strings given
 * for those two fields are turned into dates before either store runs the query.
 *
 * Refused, so results cannot differ between the stores: comparing whole sub-documents (their
 * key order matters to MongoDB and not to mingo; compare nested fields one by one or use
 * `$elemMatch`), `$regex` flags other than `i`, `m`, `s`, and numeric `$type` codes. `$type`
 * on an array field tests the field itself on the embedded store but any element on MongoDB:
 * use `{$elemMatch: {$type: …}}` to test elements portably.
 *
 * `$regex` patterns run on RE2 in the embedded store (linear time, in the API process), so
 * look-around and back-references are refused (`unsupported-regex`); nested quantifiers are
 * refused too (`unsafe-regex`), an early refusal kept from before RE2.
 */

export {
  AUDIENCE_QUERY_MAX_DEPTH,
  AUDIENCE_QUERY_MAX_BYTES,
  AUDIENCE_QUERY_OPERATORS,
} from './audience-query-rules';

export type AudienceQuery = Record<string, unknown>;

type Scope = 'profile' | 'element';
type FieldKind = 'date' | 'value';

/**
 * Checks an audience query and returns it ready to run on either store (date strings of
 * `createdAt`/`updatedAt` turned into `Date`s). Throws ValidationError `invalid-audience-query`
 * listing every problem, with JSON pointers under `at`.
 */
export function compileAudienceQuery(query: unknown, at = '/query'): AudienceQuery {
  const sizeProblem = checkQuerySize(query, at);
  if (sizeProblem) throw invalid([sizeProblem]);
  const errors: FieldError[] = [];
  const compiled = new QueryChecker(errors).filter(query, at, 'profile');
  if (errors.length > 0) throw invalid(errors.slice(0, MAX_ERRORS));
  return compiled;
}

function invalid(errors: FieldError[]): ValidationError {
  return new ValidationError('invalid-audience-query', 'The audience query is not acceptable.', errors);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function isScalar(value: unknown): value is string | number | boolean | null {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

function pointer(base: string, key: string | number): string {
  return `${base}/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

class QueryChecker {
  constructor(private readonly errors: FieldError[]) {}

  /** A query document: logical operators and field conditions. */
  filter(value: unknown, path: string, scope: Scope): AudienceQuery {
    if (!isPlainObject(value)) {
      this.problem(path, 'type', 'A query must be an object of field conditions.');
      return {};
    }
    const out: AudienceQuery = {};
    for (const [key, operand] of Object.entries(value)) {
      const at = pointer(path, key);
      if (LOGICAL_OPERATORS.has(key)) out[key] = this.clauses(operand, at, scope);
      else if (key.startsWith('$')) this.refuseOperator(key, at);
      else {
        const kind = this.fieldPath(key, at, scope);
        if (kind) out[key] = this.condition(operand, at, kind);
      }
    }
    return out;
  }

  private clauses(value: unknown, path: string, scope: Scope): AudienceQuery[] {
    if (!Array.isArray(value) || value.length === 0 || value.length > MAX_LIST) {
      this.problem(path, 'type', `Must be a list of 1 to ${MAX_LIST} query objects.`);
      return [];
    }
    return value.map((clause, index) => this.filter(clause, pointer(path, index), scope));
  }

  /** The kind of value the path holds, or undefined (and a problem) when it may not be queried. */
  private fieldPath(key: string, path: string, scope: Scope): FieldKind | undefined {
    const segments = key.split('.');
    const malformed =
      key.length > MAX_PATH_LENGTH ||
      segments.some((s) => s === '' || s.startsWith('$') || FORBIDDEN_SEGMENTS.has(s));
    if (malformed) {
      this.problem(
        path,
        'invalid-field',
        `"${key.slice(0, 64)}" is not a field path: dot-separated names, none empty or starting with "$", at most ${MAX_PATH_LENGTH} characters.`,
      );
      return undefined;
    }
    if (scope === 'element') return 'value';
    const [root = ''] = segments;
    const nested = segments.length > 1;
    if (DATE_FIELDS.has(root) && !nested) return 'date';
    if (
      (NESTED_ROOTS.has(root) && nested) ||
      ANY_DEPTH_ROOTS.has(root) ||
      (SCALAR_ROOTS.has(root) && !nested)
    ) {
      return 'value';
    }
    this.problem(
      path,
      'field-not-allowed',
      `"${key.slice(0, 64)}" cannot be queried: use attributes.<name>, consents.<name>, identities, preferredLanguage, timezone, createdAt or updatedAt.`,
    );
    return undefined;
  }

  /** What a field is compared with: a value, or an object of operators. */
  private condition(value: unknown, path: string, kind: FieldKind): unknown {
    if (isPlainObject(value)) {
      const keys = Object.keys(value);
      if (keys.length > 0 && keys.every((k) => k.startsWith('$'))) return this.operators(value, path, kind);
      this.problem(
        path,
        'document-equality',
        'Comparing a whole sub-document is not supported: compare its fields one by one (a.b), or use $elemMatch on arrays. An object of operators may not mix in field names.',
      );
      return undefined;
    }
    return this.operand(value, path, kind);
  }

  private operators(value: Record<string, unknown>, path: string, kind: FieldKind): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [op, operand] of Object.entries(value)) {
      const at = pointer(path, op);
      if (!FIELD_OPERATORS.has(op)) this.refuseOperator(op, at);
      else if (kind === 'date' && !DATE_OPERATORS.has(op)) {
        this.problem(at, 'operator-not-allowed', `${op} does not apply to a date.`);
      } else out[op] = this.operator(op, operand, at, kind, value);
    }
    return out;
  }

  private operator(
    op: string,
    operand: unknown,
    path: string,
    kind: FieldKind,
    siblings: Record<string, unknown>,
  ): unknown {
    if (COMPARISONS.has(op)) return this.operand(operand, path, kind);
    switch (op) {
      case '$in':
      case '$nin':
      case '$all':
        return this.list(operand, path, kind);
      case '$exists':
        if (typeof operand !== 'boolean') this.problem(path, 'type', '$exists takes true or false.');
        return operand;
      case '$size':
        if (!Number.isSafeInteger(operand) || (operand as number) < 0) {
          this.problem(path, 'type', '$size takes a non-negative integer.');
        }
        return operand;
      case '$type':
        if (typeof operand !== 'string' || !TYPES.has(operand)) {
          this.problem(path, 'type', `$type takes one of ${AUDIENCE_QUERY_TYPES.join(', ')}.`);
        }
        return operand;
      case '$regex':
        this.regex(operand, siblings.$options, path);
        return operand;
      case '$options':
        if (!('$regex' in siblings)) this.problem(path, 'type', '$options goes with $regex.');
        return operand;
      case '$not':
        if (!isPlainObject(operand) || Object.keys(operand).length === 0) {
          this.problem(path, 'type', '$not takes an object of operators.');
          return undefined;
        }
        return this.condition(operand, path, kind);
      default:
        return this.elemMatch(operand, path);
    }
  }

  /** Elements are either scalars (an object of operators) or sub-documents (a query on their fields). */
  private elemMatch(operand: unknown, path: string): unknown {
    if (!isPlainObject(operand) || Object.keys(operand).length === 0) {
      this.problem(path, 'type', '$elemMatch takes a non-empty object.');
      return undefined;
    }
    const keys = Object.keys(operand);
    const onScalars = keys.every((k) => k.startsWith('$') && !LOGICAL_OPERATORS.has(k));
    return onScalars ? this.operators(operand, path, 'value') : this.filter(operand, path, 'element');
  }

  private list(operand: unknown, path: string, kind: FieldKind): unknown[] {
    if (!Array.isArray(operand) || operand.length === 0 || operand.length > MAX_LIST) {
      this.problem(path, 'type', `Must be a list of 1 to ${MAX_LIST} values.`);
      return [];
    }
    return operand.map((item, index) => this.scalar(item, pointer(path, index), kind));
  }

  /** A value to compare with: a scalar, or (not for dates) a list of scalars. */
  private operand(value: unknown, path: string, kind: FieldKind): unknown {
    if (Array.isArray(value) && kind === 'value') {
      return value.map((item, index) => this.scalar(item, pointer(path, index), kind));
    }
    return this.scalar(value, path, kind);
  }

  private scalar(value: unknown, path: string, kind: FieldKind): unknown {
    if (kind === 'date') {
      if (value === null) return null;
      const date = typeof value === 'string' && ISO_TIMESTAMP.test(value) ? new Date(value) : undefined;
      if (!date || Number.isNaN(date.getTime())) {
        this.problem(path, 'type', 'Must be an ISO-8601 timestamp, e.g. 2025-01-31T00:00:00Z.');
        return undefined;
      }
      return date;
    }
    if (!isScalar(value)) this.problem(path, 'type', 'Must be a string, number, boolean or null.');
    return value;
  }

  private regex(pattern: unknown, options: unknown, path: string): void {
    if (typeof pattern !== 'string' || pattern.length > MAX_REGEX_LENGTH) {
      this.problem(path, 'type', `$regex takes a pattern of at most ${MAX_REGEX_LENGTH} characters.`);
      return;
    }
    if (options !== undefined && (typeof options !== 'string' || !/^(?!.*(.).*\1)[ims]*$/.test(options))) {
      this.problem(`${path.slice(0, path.lastIndexOf('/'))}/$options`, 'type', '$options takes i, m and s.');
      return;
    }
    const flags = typeof options === 'string' ? options : '';
    try {
      new RegExp(pattern, flags);
    } catch {
      this.problem(path, 'invalid-regex', 'The pattern is not a valid regular expression.');
      return;
    }
    const unsupported = userPatternProblem(pattern, flags);
    if (unsupported !== undefined) {
      this.problem(path, 'unsupported-regex', unsupported);
      return;
    }
    if (!isSafeRegex(pattern)) {
      this.problem(
        path,
        'unsafe-regex',
        'The pattern could take exponential time to match (nested quantifiers such as (a+)+, or more than 25 quantifiers) or uses syntax that cannot be checked, such as lookbehind.',
      );
    }
  }

  private refuseOperator(op: string, path: string): void {
    this.problem(path, 'operator-not-allowed', `${op.slice(0, 32)} is not allowed in an audience query.`);
  }

  private problem(path: string, code: string, message: string): void {
    this.errors.push({ path, code, message });
  }
}
