import { unitaryExecutionSchema } from '@herald/contracts';
import { problem, sandboxHeader, type OpenApiPart } from './common';

export function executionsOpenApi(maxRecipients: number): OpenApiPart {
  const { $id: _id, ...unitaryRequest } = unitaryExecutionSchema(maxRecipients);
  return {
    paths: {
      '/im/executions/unitary': {
        post: {
          summary: `Trigger a campaign for up to ${maxRecipients} recipients; 202 once every job is queued.`,
          parameters: [sandboxHeader],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { $ref: '#/components/schemas/UnitaryExecutionRequest' },
                example: {
                  requestId: 'order-1001-shipped',
                  campaignId: '01a20dbe-9aaf-7325-95af-8082d00bb019',
                  recipients: [
                    {
                      type: 'aep',
                      userId: 'ada@example.com',
                      namespace: 'email',
                      profile: { person: { name: { firstName: 'Ada' } } },
                      context: { orderId: 'A-1001', total: 42.5 },
                    },
                    {
                      type: 'external',
                      userId: 'crm-991',
                      namespace: 'crmId',
                      channelData: { emailAddress: 'grace@example.com' },
                      context: { orderId: 'G-9', total: 12 },
                    },
                  ],
                },
              },
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
    },
    schemas: {
      UnitaryExecutionRequest: unitaryRequest,
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
    },
  };
}
