import { ValidationError } from '@herald/errors';

/** Entities carry ISO-8601 strings; documents hold BSON dates so TTL indexes and range queries work. */
export function toIso(date: Date): string {
  return date.toISOString();
}

export function toDate(iso: string, path: string): Date {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    throw new ValidationError('invalid-timestamp', `${path} is not an ISO-8601 timestamp.`, [
      { path, code: 'invalid-timestamp', message: `"${iso}" is not an ISO-8601 timestamp.` },
    ]);
  }
  return date;
}
