import type { PageRequest } from '@herald/store';

/** `?limit=&cursor=` of every paged list, as JSON Schema properties (query values are strings). */
export const pageQueryProperties = {
  limit: { type: 'string', pattern: '^([1-9][0-9]?|[1-4][0-9]{2}|500)$', description: '1..500, default 50.' },
  cursor: {
    type: 'string',
    minLength: 1,
    maxLength: 1024,
    description: '`nextCursor` of the previous page.',
  },
} as const;

/** `?limit=&cursor=` once validated: absent, or the strings `pageQueryProperties` allows. */
export interface PageQuery {
  limit?: string;
  cursor?: string;
}

/** The store's page request for a validated `?limit=&cursor=`. */
export function pageRequestOf(query: PageQuery): PageRequest {
  return {
    ...(query.limit === undefined ? {} : { limit: Number(query.limit) }),
    ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
  };
}
