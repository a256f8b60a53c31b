import type { Request } from 'express';
import { SANDBOX_PATTERN } from '@herald/contracts';
import { ValidationError } from '@herald/errors';

const SANDBOX = new RegExp(SANDBOX_PATTERN);

/** The sandbox a call addresses: `x-sandbox-name`, default `prod` (as in AJO). */
export function sandboxOf(req: Request): string {
  const header = req.header('x-sandbox-name');
  if (header === undefined || header === '') return 'prod';
  if (!SANDBOX.test(header)) {
    throw new ValidationError('invalid-sandbox', 'x-sandbox-name is not a valid sandbox name', [
      { path: 'header:x-sandbox-name', code: 'pattern', message: `must match ${SANDBOX_PATTERN}` },
    ]);
  }
  return header;
}
