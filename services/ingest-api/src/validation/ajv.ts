import Ajv, { type ErrorObject } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { FieldError } from '@herald/errors';

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
 * A separate Ajv for schemas authored by users (campaign context schemas), JSON Schema draft
 * 2020-12: unknown keywords are refused (a typo would otherwise silently validate nothing),
 * annotation keywords are allowed, and every problem is reported.
 */
export function createUserSchemaAjv(): Ajv {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: false,
    strictSchema: true,
    $data: false,
    validateSchema: true,
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
