import { campaignDefinitionSchema, unitaryExecutionSchema } from '@herald/contracts';

const problem = {
  description: 'A problem (RFC 9457), in the AJO execution API shape plus `code`.',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

const sandboxHeader = {
  name: 'x-sandbox-name',
  in: 'header',
  required: false,
  schema: { type: 'string', default: 'prod' },
  description: 'Sandbox the call addresses.',
};

const campaignIdParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

const campaignResponse = {
  description: 'The campaign.',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Campaign' } } },
};

/**
 * The OpenAPI 3.1 document of the API, built from the same JSON Schemas the API validates
 * with, so the two cannot drift apart.
 */
export function openApiDocument(maxRecipients: number): Record<string, unknown> {
  const { $id: _campaignId, ...campaignDefinition } = campaignDefinitionSchema;
  const { $id: _unitaryId, ...unitaryRequest } = unitaryExecutionSchema(maxRecipients);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Herald API',
      version: '0.1.0',
      description:
        'Execution API (wire-compatible with Adobe Journey Optimizer Interactive Message Execution) and management API.',
    },
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
      '/im/executions/unitary': {
        post: {
          summary: `Trigger a campaign for up to ${maxRecipients} recipients; 202 once every job is queued.`,
          parameters: [sandboxHeader],
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: { $ref: '#/components/schemas/UnitaryExecutionRequest' } },
            },
          },
          responses: {
            '202': {
              description: 'Accepted: one job per recipient is in the queue.',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/ExecutionAccepted' } } },
            },
            '400': problem,
            '404': problem,
            '409': problem,
            '413': problem,
            '415': problem,
            '503': problem,
          },
        },
      },
      '/health': {
        get: { summary: 'Liveness.', responses: { '200': { description: 'The process is up.' } } },
      },
      '/ready': {
        get: {
          summary: 'Readiness: the store and Redis answer.',
          responses: { '200': { description: 'Ready.' }, '503': { description: 'A dependency is down.' } },
        },
      },
      '/im/health': {
        get: {
          summary: 'Readiness (AJO path).',
          responses: { '200': { description: 'Ready.' }, '503': { description: 'A dependency is down.' } },
        },
      },
      '/openapi.json': {
        get: { summary: 'This document.', responses: { '200': { description: 'OpenAPI 3.1 document.' } } },
      },
    },
    components: {
      schemas: {
        CampaignDefinition: campaignDefinition,
        UnitaryExecutionRequest: unitaryRequest,
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
        ExecutionAccepted: {
          type: 'object',
          required: ['executionId', 'requestId', 'createdAt', 'createdBy', 'modifiedAt', 'modifiedBy'],
          properties: {
            executionId: { type: 'string' },
            requestId: { type: 'string' },
            createdAt: { type: 'string', format: 'date-time' },
            createdBy: { type: 'string' },
            modifiedAt: { type: 'string', format: 'date-time' },
            modifiedBy: { type: 'string' },
          },
        },
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail', 'code'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            code: { type: 'string', description: 'Stable machine-readable error code.' },
            report: {
              type: 'object',
              properties: { additionalContext: { type: 'object' } },
            },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                required: ['path', 'code', 'message'],
                properties: {
                  recipientIndex: { type: 'integer' },
                  path: { type: 'string', description: 'JSON pointer into the request.' },
                  code: { type: 'string' },
                  message: { type: 'string' },
                },
              },
            },
          },
        },
      },
    },
  };
}
