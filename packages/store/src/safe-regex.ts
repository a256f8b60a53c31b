import { RE2JS } from 're2js';
import { safeRegex } from 'safe-regex2';

/**
 * User-supplied patterns (JSON Schema `pattern`/`patternProperties`, audience `$regex`) never
 * run on JavaScript's backtracking RegExp: overlapping alternatives such as `^(a|a)*$` take
 * exponential time on an almost-matching input, and no heuristic catches them all. They run on
 * RE2 (re2js, pure JavaScript), whose matching time is linear in the input. RE2 has no
 * look-around and no back-references: such patterns are refused before they are stored.
 */

/** A compiled user pattern: what Ajv's `code.regExp` engine and the audience matcher call. */
export interface UserPattern {
  readonly source: string;
  readonly flags: string;
  /** Whether the pattern matches anywhere in `input`, like `RegExp.prototype.test`. */
  test(input: string): boolean;
  /** Ajv keys its compiled patterns by this string: it must differ between patterns. */
  toString(): string;
}

/**
 * Escapes whose meaning JavaScript and RE2 share. Any other letter or digit escape is refused:
 * `\1` and `\k<name>` are back-references, and `\A`, `\z`, `\Q`… mean something else in RE2
 * than the plain letter they are in JavaScript without the `u` flag.
 */
const SHARED_ESCAPES = new Set([...'dDwWsSbBnrtfvxuc0']);
/** `\p{…}` and `\u{…}` are Unicode escapes only with the `u` flag; without it, plain letters. */
const UNICODE_ESCAPES = new Set([...'pP']);

const FLAGS: Readonly<Record<string, number>> = {
  i: RE2JS.CASE_INSENSITIVE,
  m: RE2JS.MULTILINE,
  s: RE2JS.DOTALL,
  // RE2 always matches by code point, as `u` asks.
  u: 0,
};

/**
 * Why RE2 cannot run `pattern` with these RegExp flags (a sentence naming the construct), or
 * undefined when it can. The pattern is assumed valid for JavaScript's RegExp.
 */
export function userPatternProblem(pattern: string, flags = ''): string | undefined {
  try {
    compileUserPattern(pattern, flags);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Compiles a user pattern for RE2; throws an Error naming what RE2 does not support. */
export function compileUserPattern(pattern: string, flags = ''): UserPattern {
  const unicode = flags.includes('u');
  const escapeProblem = unsupportedEscape(pattern, unicode);
  if (escapeProblem) throw new Error(escapeProblem);
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(RE2JS.translateRegExp(pattern), re2Flags(flags));
  } catch (error) {
    throw new Error(
      `The pattern uses syntax the linear-time engine (RE2) does not support, such as look-around or back-references: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return {
    source: pattern,
    flags,
    test: (input) => compiled.test(input),
    toString: () => `/${pattern}/${flags}`,
  };
}

function re2Flags(flags: string): number {
  let result = 0;
  for (const flag of flags) {
    const value = FLAGS[flag];
    if (value === undefined) throw new Error(`The regular-expression flag "${flag}" is not supported.`);
    result |= value;
  }
  return result;
}

function unsupportedEscape(pattern: string, unicode: boolean): string | undefined {
  for (let at = 0; at < pattern.length; at += 1) {
    if (pattern[at] !== '\\') continue;
    at += 1;
    const escaped = pattern[at] ?? '';
    if (!/[0-9A-Za-z]/.test(escaped)) continue;
    const shared = SHARED_ESCAPES.has(escaped) || (unicode && UNICODE_ESCAPES.has(escaped));
    const octal = escaped === '0' && /[0-9]/.test(pattern[at + 1] ?? '');
    const unicodeBraces = escaped === 'u' && pattern[at + 1] === '{' && !unicode;
    if (!shared || octal || unicodeBraces) {
      return /[1-9k]/.test(escaped)
        ? `Back-references (\\${escaped}) are not supported: patterns run on a linear-time engine (RE2).`
        : `The escape \\${escaped} is not supported: patterns run on a linear-time engine (RE2).`;
    }
  }
  return undefined;
}

/**
 * An early refusal kept beside RE2: nested quantifiers such as `(a+)+` and patterns with more
 * than 25 quantifiers are refused, as they always were, even though RE2 would run them in
 * linear time. It is a heuristic (star height): `(a|a)*` passes it, which is why every user
 * pattern runs on RE2 all the same. Syntax it cannot parse, such as lookbehind, counts as unsafe.
 */
export function isSafeRegex(pattern: string): boolean {
  return safeRegex(pattern);
}
