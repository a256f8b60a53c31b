import { safeRegex } from 'safe-regex2';

/**
 * Whether a user-supplied pattern may run on JavaScript's backtracking RegExp in the API
 * process: refuses nested quantifiers such as `(a+)+`, which take exponential time on an
 * almost-matching input, and patterns with more than 25 quantifiers. It is a heuristic (star
 * height), so overlapping alternatives like `(a|a)*` pass; syntax it cannot parse, such as
 * lookbehind, counts as unsafe.
 */
export function isSafeRegex(pattern: string): boolean {
  return safeRegex(pattern);
}
