import { onExecutionApiBases } from '../http/execution-api-paths';
import { unitaryExecutionSchema } from '@herald/contracts';
import {
  problem,
  sandboxHeader,
  type OpenApiPart,
  operation,
  jsonRequest,
  dryRunParameter,
} from '../openapi/common';

/** The AJO-compatible trigger calls, whichever file documents them, form one section. */
export const executionsTag = {
  name: 'Executions',
  description:
    'Trigger campaigns (wire-compatible with the AJO Interactive Message Execution API): unitary, high throughput and audience executions, and audience schedules. Rate-limited per API key.',
};

export function unitaryExecutionOpenApi(maxRecipients: number): OpenApiPart {
  const { $id: _id, ...unitaryRequest } = unitaryExecutionSchema(maxRecipients);
  return {
    tag: executionsTag,
    paths: onExecutionApiBases({
      '/im/executions/unitary': {
        post: operation('execution', {
          operationId: 'postIMUnitaryMessageExecution',
          summary: `Trigger a transactional campaign for up to ${maxRecipients} recipients; 202 once every job is queued.`,
          description:
            '`requestId` is an idempotency key per sandbox (for IDEMPOTENCY_TTL_SECONDS, 24 h by default): ' +
            'repeating a call with the same body answers the first 202 again and queues nothing more; the ' +
            'same requestId with another body is refused with 409 `request-id-reused` (unless the sandbox ' +
            'setting `idempotency.bodyRequestId` is false). An `x-request-id` header reused by the same caller ' +
            'on the same operation and campaign, as at AJO, answers the first 202 again and executes nothing, ' +
            'whatever the body. With `dryRun=true` ' +
            'the call is validated and previewed per recipient (200) without queueing, recording or ' +
            'creating anything.',
          parameters: [
            sandboxHeader,
            dryRunParameter(
              'Validate, resolve profiles (without creating them), apply exclusions and render; answer what ' +
                'each recipient would be sent. Nothing is queued or stored, and the requestId is not used up. ' +
                'A key without the `manage` role gets only `would-queue` per recipient (see ExecutionDryRun).',
            ),
          ],
          requestBody: jsonRequest('UnitaryExecutionRequest', {
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
          }),
          responses: {
            '200': {
              description: 'Dry run (`dryRun=true`): what each recipient would be sent, or why not.',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/ExecutionDryRun' } } },
            },
            '202': {
              description:
                'Accepted: one job per recipient is in the queue. A repeated call (same requestId and body) gets the same answer.',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/ExecutionAccepted' } } },
            },
            '400': {
              ...problem,
              description:
                'Invalid call: `invalid-request`, `invalid-recipients` (every bad recipient listed), or `duplicate-recipient` (the same type, namespace and userId more than once).',
            },
            '404': problem,
            '409': {
              ...problem,
              description:
                '`request-id-reused` (same requestId, different body), `x-request-id-in-progress`, `campaign-not-live` or `campaign-outside-schedule`.',
            },
            '422': {
              ...problem,
              description:
                '`wrong-endpoint-for-campaign`: a marketing campaign; trigger it with POST /im/executions/audience.',
            },
            '503': {
              ...problem,
              description:
                '`queue-unavailable`: Redis cannot be reached; nothing was queued. Retry after `Retry-After` seconds with the same requestId.',
              headers: {
                'Retry-After': {
                  schema: { type: 'integer' },
                  description: 'Seconds to wait before retrying.',
                },
              },
            },
          },
        }),
      },
    }),
    schemas: {
      UnitaryExecutionRequest: unitaryRequest,
      ExecutionDryRun: {
        type: 'object',
        description:
          'With the `manage` role, each recipient as the worker would treat it. Without it, each recipient ' +
          'is only `{index, outcome: "would-queue"}`: no address, message or profile outcome, so that a key ' +
          'that may only trigger reads no stored data and cannot tell known identities from unknown ones.',
        required: ['dryRun', 'campaignId', 'campaignVersion', 'recipients'],
        properties: {
          dryRun: { const: true },
          campaignId: { type: 'string' },
          campaignVersion: { type: 'integer' },
          recipients: {
            type: 'array',
            items: {
              type: 'object',
              required: ['index', 'outcome'],
              properties: {
                index: { type: 'integer' },
                outcome: {
                  enum: ['send', 'excluded', 'failed', 'would-queue'],
                  description: '`would-queue`: the answer to a key without `manage`, whatever the recipient.',
                },
                reason: {
                  type: 'string',
                  description:
                    'Why the recipient is excluded (e.g. `profile-not-found`, `no-address`) or fails (e.g. `render-failed`).',
                },
                address: { type: 'string' },
                locale: { type: 'string' },
                wouldCreateProfile: {
                  type: 'boolean',
                  description: 'The recipient has no profile yet; a real call would create it.',
                },
                message: {
                  type: 'object',
                  description: 'The rendered message, as the worker would send it.',
                },
              },
            },
          },
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
    },
  };
}
