import { onExecutionApiBases } from '../http/execution-api-paths';
import {
  problem,
  sandboxHeader,
  type OpenApiPart,
  operation,
  jsonRequest,
  dryRunParameter,
} from '../openapi/common';
import { executionsTag } from './unitary-execution.openapi';

/** `POST /im/executions/highthroughput`: the unitary body, external recipients and e-mail only. */
export function highThroughputExecutionOpenApi(maxRecipients: number): OpenApiPart {
  return {
    tag: executionsTag,
    paths: onExecutionApiBases({
      '/im/executions/highthroughput': {
        post: operation('execution', {
          operationId: 'postIMUnitaryHAMessageExecution',
          summary: `Send an e-mail campaign to up to ${maxRecipients} external recipients, without profile lookup; 202 once every job is queued.`,
          parameters: [
            sandboxHeader,
            dryRunParameter(
              'Herald extension: validate and render every recipient, queue nothing (200). A key without ' +
                'the `manage` role gets only `would-queue` per recipient.',
            ),
          ],
          requestBody: jsonRequest('UnitaryExecutionRequest', {
            requestId: 'newsletter-2026-11-ada',
            campaignId: '01a20dbe-9aaf-7325-95af-8082d00bb019',
            recipients: [
              {
                type: 'external',
                userId: 'ada@example.com',
                namespace: 'email',
                profile: { person: { name: { firstName: 'Ada' } } },
                context: { orderId: 'A-1001', total: 42.5 },
              },
            ],
          }),
          responses: {
            '200': {
              description: 'Dry run: what each recipient would be sent, or why not.',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/ExecutionDryRun' } } },
            },
            '202': {
              description: 'Accepted: one job per recipient is in the queue.',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/ExecutionAccepted' } } },
            },
            '400': problem,
            '404': problem,
            '409': problem,
            '422': problem,
          },
        }),
      },
    }),
    schemas: {},
  };
}
