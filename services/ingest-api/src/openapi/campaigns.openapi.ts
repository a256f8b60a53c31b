import { campaignDefinitionSchema } from '@herald/contracts';
import { jsonContent, problem, sandboxHeader, type OpenApiPart } from './common';

const campaignIdParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

const campaignResponse = { description: 'The campaign.', content: jsonContent('Campaign') };

export function campaignsOpenApi(): OpenApiPart {
  const { $id: _id, ...campaignDefinition } = campaignDefinitionSchema;
  return {
    paths: {
      '/campaigns': {
        post: {
          summary: 'Create a campaign (draft, version 1).',
          parameters: [sandboxHeader],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/CampaignDefinition' } } },
          },
          responses: { '201': campaignResponse, '400': problem, '413': problem, '415': problem },
        },
      },
      '/campaigns/{id}': {
        get: {
          summary: 'Read a campaign.',
          parameters: [sandboxHeader, campaignIdParam],
          responses: { '200': campaignResponse, '404': problem },
        },
      },
      '/campaigns/{id}/activate': {
        post: {
          summary: 'Run every activation check and make the latest version live.',
          parameters: [sandboxHeader, campaignIdParam],
          responses: { '200': campaignResponse, '404': problem, '409': problem, '422': problem },
        },
      },
    },
    schemas: {
      CampaignDefinition: campaignDefinition,
      Campaign: {
        type: 'object',
        required: [
          'id',
          'sandbox',
          'status',
          'latestVersion',
          'liveVersion',
          'definition',
          'createdAt',
          'updatedAt',
        ],
        properties: {
          id: { type: 'string' },
          sandbox: { type: 'string' },
          status: { enum: ['draft', 'scheduled', 'live', 'stopped', 'completed', 'archived'] },
          latestVersion: { type: 'integer' },
          liveVersion: { type: ['integer', 'null'] },
          definition: { $ref: '#/components/schemas/CampaignDefinition' },
          createdAt: { type: 'string', format: 'date-time' },
          updatedAt: { type: 'string', format: 'date-time' },
        },
      },
    },
  };
}
