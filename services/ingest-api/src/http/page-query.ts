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
