import { pageQueryProperties, type PageQuery } from '../http/page-query';
import { AUDIENCE_QUERY_MAX_BYTES, AUDIENCE_QUERY_MAX_DEPTH } from '@herald/store';
import { identitySchema } from '../profiles/profile.schema';

export const MAX_STATIC_IDENTITIES = 10_000;
export const MAX_SAMPLE = 100;
export const DEFAULT_SAMPLE = 10;

const QUERY_DESCRIPTION = [
  'A MongoDB query over profile documents `{identities: [{namespace, id}], attributes, preferredLanguage, timezone, consents, createdAt, updatedAt}`.',
  'Fields: `attributes.<path>`, `consents.<path>`, `identities…`, `preferredLanguage`, `timezone`, `createdAt`, `updatedAt` (the last two compared as dates: give ISO-8601 strings).',
  'Operators: $and $or $nor $not $eq $ne $gt $gte $lt $lte $in $nin $exists $regex $options (i, m, s) $elemMatch $size $all $type (string, number, bool, object, array, null, date); any other ($where, $expr, $function, …) is refused with 400 `invalid-audience-query`.',
  'Values compared are scalars or lists of scalars: compare nested fields one by one rather than whole sub-documents.',
  `At most ${AUDIENCE_QUERY_MAX_DEPTH} levels deep and ${AUDIENCE_QUERY_MAX_BYTES} bytes of JSON.`,
].join(' ');

const common = {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  description: { type: 'string', maxLength: 2000 },
} as const;

/** `POST /audiences` body for an audience defined by a query. */
export const queryAudienceInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'kind', 'query'],
  properties: {
    ...common,
    kind: { type: 'string', const: 'query' },
    query: { type: 'object', description: QUERY_DESCRIPTION },
  },
} as const;

/** `POST /audiences` body for an audience listing its members. */
export const staticAudienceInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'kind', 'identities'],
  properties: {
    ...common,
    kind: { type: 'string', const: 'static' },
    identities: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_STATIC_IDENTITIES,
      items: identitySchema,
      description: 'Members, by identity. Repeats are dropped; identities of no profile count for nothing.',
    },
  },
} as const;

export const audienceInputSchemas = {
  query: queryAudienceInputSchema,
  static: staticAudienceInputSchema,
} as const;

export type AudienceKind = keyof typeof audienceInputSchemas;

export interface QueryAudienceInput {
  name: string;
  description?: string;
  kind: 'query';
  query: Record<string, unknown>;
}

export interface StaticAudienceInput {
  name: string;
  description?: string;
  kind: 'static';
  identities: Array<{ namespace: string; id: string }>;
}

/** `GET /audiences` query. */
export const audienceListQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...pageQueryProperties,
  },
} as const;

export type AudienceListQuery = PageQuery;

/** `GET /audiences/{id}/sample` query. */
export const audienceSampleQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: {
      type: 'string',
      pattern: '^([1-9][0-9]?|100)$',
      description: `1..${MAX_SAMPLE}, default ${DEFAULT_SAMPLE}.`,
    },
  },
} as const;

export interface AudienceSampleQuery {
  limit?: string;
}
