import { ValidationError } from '@herald/errors';
import type { Page, PageRequest } from '../ports';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;

export type SortKey = string | number;

export function pageLimit(page: PageRequest | undefined): number {
  const limit = page?.limit;
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_PAGE_LIMIT;
  return Math.min(MAX_PAGE_LIMIT, Math.max(1, Math.floor(limit)));
}

export function encodeCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function invalidCursor(): ValidationError {
  return new ValidationError('invalid-cursor', 'The cursor is not one this list returned.', [
    { path: '/cursor', code: 'invalid-cursor', message: 'Use the nextCursor of a previous page.' },
  ]);
}

/** The sort key a page starts after, or undefined for the first page. */
export function cursorAfter(page: PageRequest | undefined, kind: 'string'): string | undefined;
export function cursorAfter(page: PageRequest | undefined, kind: 'number'): number | undefined;
export function cursorAfter(page: PageRequest | undefined, kind: 'string' | 'number'): SortKey | undefined {
  const cursor = page?.cursor;
  if (cursor === undefined || cursor === '') return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (kind === 'number' ? typeof key !== 'number' || !Number.isFinite(key) : typeof key !== 'string') {
    throw invalidCursor();
  }
  return key as SortKey;
}

/**
 * Builds a page from documents fetched with `limit + 1`: the extra one only says that a next
 * page exists, so no second count query is needed.
 */
export function toPage<D, T>(
  docs: readonly D[],
  limit: number,
  sortKey: (doc: D) => SortKey,
  map: (doc: D) => T,
): Page<T> {
  const pageDocs = docs.slice(0, limit);
  const last = pageDocs[pageDocs.length - 1];
  return {
    items: pageDocs.map(map),
    nextCursor: docs.length > limit && last !== undefined ? encodeCursor(sortKey(last)) : null,
  };
}
