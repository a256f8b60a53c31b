import Ajv, { type ErrorObject } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import type { RegExpEngine } from 'ajv/dist/types';
import addFormats from 'ajv-formats';
import type { FieldError } from '@herald/errors';
import { compileUserPattern } from '@herald/store';

/**
 * One Ajv for the API's own schemas: strict, all errors reported, never `$data`.
 * Schemas are compiled once, at startup.
 */
export function createAjv(): Ajv {
  // strictRequired off: `anyOf: [{required: ['html']}, {required: ['text']}]` names properties
  // declared by the parent schema, which is correct JSON Schema.
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    strictRequired: false,
    useDefaults: true,
    $data: false,
  });
  addFormats(ajv, ['email', 'date-time', 'uri']);
  return ajv;
}

/**
 * Runs the `pattern` and `patternProperties` of user schemas on RE2, in time linear in the
 * input: JavaScript's RegExp backtracks, and `^(a|a)*$` on a 30-character context value froze
 * the API for seconds. Throws on syntax RE2 lacks (look-around, back-references), which the
 * campaign validator reports with the pattern's path before compiling. `code` only names the
 * engine in standalone code, which Herald does not generate.
 */
const linearRegExp: RegExpEngine = Object.assign(
  (pattern: string, flags: string) => compileUserPattern(pattern, flags),
  { code: 'require("@herald/store").compileUserPattern' },
);

/**
 * A separate Ajv for schemas authored by users (campaign context schemas), JSON Schema draft
 * 2020-12: unknown keywords are refused (a typo would otherwise silently validate nothing),
 * annotation keywords are allowed, and every problem is reported. Patterns run on RE2. Make
 * one per schema: Ajv keeps every schema it compiles, and registers each `$id` for good.
 */
export function createUserSchemaAjv(): Ajv {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: false,
    strictSchema: true,
    // Ajv's check that no property name also matches a `patternProperties` pattern runs the
    // pattern on JavaScript's RegExp while compiling; such overlap is valid JSON Schema.
    allowMatchingProperties: true,
    $data: false,
    validateSchema: true,
    code: { regExp: linearRegExp },
  });
  addFormats(ajv);
  return ajv;
}

/** Turns Ajv errors into field errors; `prefix` is prepended to each JSON pointer. */
export function toFieldErrors(errors: readonly ErrorObject[] | null | undefined, prefix = ''): FieldError[] {
  return (errors ?? []).map((error) => {
    const path = `${prefix}${fieldPath(error)}`;
    const recipient = /^\/recipients\/(\d+)(\/|$)/.exec(path);
    return {
      ...(recipient ? { recipientIndex: Number(recipient[1]) } : {}),
      path: path === '' ? '/' : path,
      code: error.keyword,
      message: error.message ?? 'is invalid',
    };
  });
}

/** Points at the offending field itself: Ajv reports a missing or extra property on its parent. */
function fieldPath(error: ErrorObject): string {
  if (error.keyword === 'required') {
    return `${error.instancePath}/${String((error.params as { missingProperty: string }).missingProperty)}`;
  }
  if (error.keyword === 'additionalProperties') {
    return `${error.instancePath}/${String((error.params as { additionalProperty: string }).additionalProperty)}`;
  }
  return error.instancePath;
}
