import {
  audienceListQuerySchema,
  audienceSampleQuerySchema,
  queryAudienceInputSchema,
  staticAudienceInputSchema,
} from './audience.schema';
import {
  jsonContent,
  problem,
  queryParameters,
  sandboxHeader,
  type OpenApiPart,
  operation,
  jsonRequest,
} from '../openapi/common';

const audienceIdParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

export const audienceExample = {
  name: 'Gold members in Paris who accept e-mail',
  description: 'Loyalty tier gold or platinum, living in Paris, marketing e-mail consent given.',
  kind: 'query',
  query: {
    'attributes.loyalty.tier': { $in: ['gold', 'platinum'] },
    'attributes.address.city': 'Paris',
    'consents.marketing.email': 'y',
    identities: { $elemMatch: { namespace: 'email' } },
    createdAt: { $gte: '2025-01-01T00:00:00Z' },
  },
};

const audienceResponse = { description: 'The audience.', content: jsonContent('Audience') };

export function audiencesOpenApi(): OpenApiPart {
  return {
    tag: {
      name: 'Audiences',
      description: 'Queries over profiles, or static lists, for audience executions.',
    },
    paths: {
      '/audiences': {
        post: operation('api-key', {
          operationId: 'createAudience',
          summary: 'Create an audience: a query over profiles or a static list of identities (manage).',
          description:
            'Refused with 400 `invalid-audience` when the body breaks its schema, and 400 `invalid-audience-query` (each problem with its JSON pointer) when the query uses an operator or field that is not allowed. A static audience may list up to 10,000 identities; repeats are dropped.',
          parameters: [sandboxHeader],
          requestBody: jsonRequest('AudienceInput', audienceExample),
          responses: {
            '201': audienceResponse,
            '400': problem,
          },
        }),
        get: operation('api-key', {
          operationId: 'listAudiences',
          summary: 'List the audiences of the sandbox, oldest first (manage).',
          parameters: [sandboxHeader, ...queryParameters(audienceListQuerySchema.properties)],
          responses: {
            '200': { description: 'One page of audiences.', content: jsonContent('AudiencePage') },
            '400': problem,
          },
        }),
      },
      '/audiences/{id}': {
        get: operation('api-key', {
          operationId: 'getAudience',
          summary: 'Read an audience (manage).',
          parameters: [sandboxHeader, audienceIdParam],
          responses: { '200': audienceResponse, '400': problem, '404': problem },
        }),
        delete: operation('api-key', {
          operationId: 'deleteAudience',
          summary: 'Delete an audience (manage). Profiles are not touched.',
          parameters: [sandboxHeader, audienceIdParam],
          responses: { '204': { description: 'Deleted.' }, '400': problem, '404': problem },
        }),
      },
      '/audiences/{id}/count': {
        get: operation('api-key', {
          operationId: 'countAudience',
          summary: 'Count the profiles in an audience (manage).',
          description:
            'A query audience counts the profiles of the sandbox matching its query now. A static audience counts the distinct profiles its identities resolve to: identities no profile holds count for nothing, and two identities of one profile count once.',
          parameters: [sandboxHeader, audienceIdParam],
          responses: {
            '200': { description: 'The member count.', content: jsonContent('AudienceCount') },
            '400': problem,
            '404': problem,
          },
        }),
      },
      '/audiences/{id}/sample': {
        get: operation('api-key', {
          operationId: 'sampleAudience',
          summary: 'A few members of an audience (manage).',
          description:
            'Up to `limit` profiles: the first matching profiles in id (creation) order for a query audience; the profiles of the first listed identities, in list order, for a static audience.',
          parameters: [
            sandboxHeader,
            audienceIdParam,
            ...queryParameters(audienceSampleQuerySchema.properties),
          ],
          responses: {
            '200': { description: 'Members.', content: jsonContent('AudienceSample') },
            '400': problem,
            '404': problem,
          },
        }),
      },
    },
    schemas: {
      QueryAudienceInput: queryAudienceInputSchema,
      StaticAudienceInput: staticAudienceInputSchema,
      AudienceInput: {
        oneOf: [
          { $ref: '#/components/schemas/QueryAudienceInput' },
          { $ref: '#/components/schemas/StaticAudienceInput' },
        ],
      },
      Audience: {
        type: 'object',
        required: ['id', 'sandbox', 'name', 'kind', 'createdAt', 'updatedAt'],
        properties: {
          id: { type: 'string' },
          sandbox: { type: 'string' },
          ...queryAudienceInputSchema.properties,
          kind: { type: 'string', enum: ['query', 'static'] },
          identities: staticAudienceInputSchema.properties.identities,
          createdAt: { type: 'string', format: 'date-time' },
          updatedAt: { type: 'string', format: 'date-time' },
        },
      },
      AudiencePage: {
        type: 'object',
        required: ['items', 'nextCursor'],
        properties: {
          items: { type: 'array', items: { $ref: '#/components/schemas/Audience' } },
          nextCursor: { type: ['string', 'null'], description: 'Null on the last page.' },
        },
      },
      AudienceCount: {
        type: 'object',
        required: ['count'],
        properties: { count: { type: 'integer', minimum: 0 } },
      },
      AudienceSample: {
        type: 'object',
        required: ['items'],
        properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Profile' } } },
      },
    },
  };
}
