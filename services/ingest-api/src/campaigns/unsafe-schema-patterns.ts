import type { FieldError } from '@herald/errors';
import { isSafeRegex, userPatternProblem } from '@herald/store';
import { forEachSchemaObject, pointer } from './schema-walk';

/** Ajv compiles user-schema patterns with the `u` flag (its `unicodeRegExp` default). */
const AJV_FLAGS = 'u';

/**
 * Finds `pattern` strings and `patternProperties` keys (`propertyNames` holds a `pattern` of its
 * own) in a user-authored JSON schema that cannot be accepted: syntax the linear-time engine
 * (RE2) that Ajv runs them on does not support, such as look-around or back-references
 * (`unsupported-regex`), and, as an early refusal, nested quantifiers (`unsafe-regex`).
 */
export function unsafeSchemaPatterns(schema: unknown, at: string): FieldError[] {
  const problems: FieldError[] = [];
  const check = (pattern: string, path: string) => {
    const problem = patternProblem(pattern, path);
    if (problem) problems.push(problem);
  };
  forEachSchemaObject(schema, at, (node, path) => {
    if (typeof node.pattern === 'string') check(node.pattern, pointer(path, 'pattern'));
    const patterned = node.patternProperties;
    if (typeof patterned === 'object' && patterned !== null && !Array.isArray(patterned)) {
      const at = pointer(path, 'patternProperties');
      for (const name of Object.keys(patterned)) check(name, pointer(at, name));
    }
  });
  return problems;
}

function patternProblem(pattern: string, path: string): FieldError | undefined {
  const unsupported = userPatternProblem(pattern, AJV_FLAGS);
  if (unsupported !== undefined) return { path, code: 'unsupported-regex', message: unsupported };
  if (isSafeRegex(pattern)) return undefined;
  return {
    path,
    code: 'unsafe-regex',
    message:
      'The pattern could take exponential time to match (nested quantifiers such as (a+)+, or more than 25 quantifiers) or uses syntax that cannot be checked, such as lookbehind.',
  };
}
