import { onExecutionApiBases } from '../http/execution-api-paths';
import { audienceExecutionSchema } from './audience-execution.schema';
import {
  jsonContent,
  problem,
  sandboxHeader,
  type OpenApiPart,
  operation,
  jsonRequest,
} from '../openapi/common';
import { executionsTag } from './unitary-execution.openapi';

function idParam(name: string): Record<string, unknown> {
  return { name, in: 'path', required: true, schema: { type: 'string' } };
}

const audienceExecution = {
  type: 'object',
  required: ['executionId', 'campaignId', 'audienceId', 'status', 'targetedProfileCount', 'createdAt'],
  properties: {
    executionId: { type: 'string' },
    campaignId: { type: 'string' },
    audienceId: { type: 'string' },
    status: { type: 'string', enum: ['InProgress', 'Succeeded', 'Failed'] },
    targetedProfileCount: { type: 'integer', description: 'Profiles queued so far.' },
    createdAt: { type: 'string', format: 'date-time' },
  },
};

export function audienceExecutionOpenApi(): OpenApiPart {
  return {
    tag: executionsTag,
    paths: onExecutionApiBases({
      '/im/executions/audience': {
        post: operation('execution', {
          operationId: 'postIMAudienceMessageExecution',
          summary:
            'Send a marketing campaign to an audience now, or at schedule.executeAt; the audience is audience.id or else the campaign’s.',
          parameters: [sandboxHeader],
          requestBody: jsonRequest('AudienceExecutionRequest', {
            requestId: 'spring-sale-2026',
            campaignId: '01a20dbe-9aaf-7325-95af-8082d00bb019',
            audience: { id: '01a20dbe-9b10-7a2e-8a1e-3f0c1d2e4b55' },
            context: { promoCode: 'SPRING26', discount: 20 },
            schedule: { executeAt: '2030-04-01T08:00:00Z' },
          }),
          responses: {
            '202': {
              description:
                'Accepted: the fan-out job is queued (`executionId`), or, with a future executeAt, the schedule.',
              content: {
                'application/json': {
                  schema: {
                    oneOf: [
                      { $ref: '#/components/schemas/ExecutionAccepted' },
                      { $ref: '#/components/schemas/AudienceSchedule' },
                    ],
                  },
                },
              },
            },
            '400': problem,
            '404': problem,
            '409': problem,
            '422': problem,
          },
        }),
      },
      '/im/executions/audience/{executionId}': {
        get: operation('execution', {
          operationId: 'getBatchExecutionStatusByExecutionId',
          summary: 'Status of an audience execution and how many profiles it has queued.',
          parameters: [sandboxHeader, idParam('executionId')],
          responses: {
            '200': { description: 'The execution.', content: jsonContent('AudienceExecution') },
            '404': problem,
          },
        }),
      },
      '/im/executions/schedules/{scheduleId}': {
        get: operation('execution', {
          operationId: 'getBatchExecutionStatusByScheduleId',
          summary: 'A scheduled audience execution; once triggered, with its executionDetails.',
          parameters: [sandboxHeader, idParam('scheduleId')],
          responses: {
            '200': { description: 'The schedule.', content: jsonContent('AudienceSchedule') },
            '404': problem,
          },
        }),
        delete: operation('execution', {
          operationId: 'deleteScheduledExecution',
          summary: 'Cancel a schedule before it fires; 404 once it has fired or was cancelled.',
          parameters: [sandboxHeader, idParam('scheduleId')],
          responses: {
            '200': {
              description: 'Cancelled: it will never fire. The body is `{}`, as in AJO.',
              content: { 'application/json': { schema: { type: 'object', maxProperties: 0 } } },
            },
            '404': problem,
          },
        }),
      },
    }),
    schemas: {
      AudienceExecutionRequest: { ...audienceExecutionSchema },
      AudienceExecution: audienceExecution,
      AudienceSchedule: {
        type: 'object',
        required: ['scheduleId', 'campaignId', 'audience', 'executeAt', 'scheduleStatus'],
        properties: {
          scheduleId: { type: 'string' },
          campaignId: { type: 'string' },
          audience: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
          executeAt: { type: 'string', format: 'date-time' },
          scheduleStatus: { type: 'string', enum: ['Scheduled', 'Triggered'] },
          executionDetails: audienceExecution,
        },
      },
    },
  };
}
