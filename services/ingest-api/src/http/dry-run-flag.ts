import { ValidationError } from '@herald/errors';

/** `?dryRun=true` validates and previews a trigger instead of queueing it; other values are refused. */
export function dryRunRequested(value: unknown): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new ValidationError('invalid-request', 'dryRun must be true or false.', [
    { path: '/query/dryRun', code: 'invalid-value', message: 'dryRun must be true or false' },
  ]);
}
