import type { FieldError } from '@herald/errors';
import { isSafeRegex } from '@herald/store';

/**
 * Finds `pattern` strings and `patternProperties` keys in a user-authored JSON schema that
 * could backtrack catastrophically: Ajv runs them with JavaScript's RegExp on every trigger's
 * context, synchronously in the API process. Walks every nested object and array, data
 * keywords (`const`, `default`, …) included: telling schema from data by position is
 * error-prone, and refusing a harmless lookalike there is cheaper than missing a real one.
 * Iterative, because a 64 KiB schema may nest deeper than the call stack allows.
 */
export function unsafeSchemaPatterns(schema: unknown, at: string): FieldError[] {
  const problems: FieldError[] = [];
  const pending: Array<{ value: unknown; path: string }> = [{ value: schema, path: at }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, path } = next;
    if (typeof value !== 'object' || value === null) continue;
    for (const [key, child] of Object.entries(value)) {
      const childPath = pointer(path, key);
      if (key === 'pattern' && typeof child === 'string' && !isSafeRegex(child)) {
        problems.push(unsafe(childPath));
      }
      if (
        key === 'patternProperties' &&
        typeof child === 'object' &&
        child !== null &&
        !Array.isArray(child)
      ) {
        for (const name of Object.keys(child)) {
          if (!isSafeRegex(name)) problems.push(unsafe(pointer(childPath, name)));
        }
      }
      pending.push({ value: child, path: childPath });
    }
  }
  return problems;
}

function unsafe(path: string): FieldError {
  return {
    path,
    code: 'unsafe-regex',
    message:
      'The pattern could take exponential time to match (nested quantifiers such as (a+)+, or more than 25 quantifiers) or uses syntax that cannot be checked, such as lookbehind.',
  };
}

function pointer(base: string, key: string): string {
  return `${base}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}
