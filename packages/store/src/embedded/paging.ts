import { ValidationError } from '@herald/errors';
import type { Page, PageRequest } from '../ports';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

export type SortKey = ReadonlyArray<string | number>;

export interface PageQuery<K extends SortKey = SortKey> {
  /** Rows to fetch: one more than the page holds, to learn whether a next page exists. */
  fetch: number;
  limit: number;
  /** Sort key of the last row already seen, or `first` when starting from the beginning. */
  after: K;
}

export function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.min(MAX_LIMIT, Math.max(1, Math.floor(limit)));
}

/**
 * `first` is a key that sorts before every real row (e.g. `['']` for text ids), so one prepared
 * statement with `key > ?` serves the first page and every later one.
 */
export function pageQuery<K extends SortKey>(page: PageRequest | undefined, first: K): PageQuery<K> {
  const limit = clampLimit(page?.limit);
  const after = page?.cursor === undefined ? first : decodeCursor(page.cursor, first);
  return { fetch: limit + 1, limit, after };
}

export function toPage<Row, Item>(
  rows: readonly Row[],
  query: PageQuery<SortKey>,
  map: (row: Row) => Item,
  keyOf: (row: Row) => SortKey,
): Page<Item> {
  const pageRows = rows.slice(0, query.limit);
  const last = pageRows[pageRows.length - 1];
  const hasMore = rows.length > query.limit && last !== undefined;
  return { items: pageRows.map(map), nextCursor: hasMore ? encodeCursor(keyOf(last)) : null };
}

function encodeCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function decodeCursor<K extends SortKey>(cursor: string, shape: K): K {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  // A cursor must have the shape of this listing's sort key: one from another listing, or a
  // tampered one, would otherwise page silently from the wrong place.
  const valid =
    Array.isArray(key) &&
    key.length === shape.length &&
    key.every((part: unknown, i) => typeof part === typeof shape[i]);
  if (!valid) {
    throw new ValidationError('invalid-cursor', 'The page cursor is not valid for this listing.', [
      { path: '/cursor', code: 'invalid-cursor', message: 'Use the nextCursor of a previous page.' },
    ]);
  }
  return key as K;
}
