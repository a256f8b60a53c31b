import type { JSONSchemaType } from 'ajv';

/** Body of `POST /im/executions/audience`, as the AJO Interactive Message Execution API defines it. */
export interface AudienceExecutionRequest {
  requestId?: string;
  campaignId: string;
  audience?: { id: string };
  context?: Record<string, unknown>;
  schedule?: { executeAt: string };
}

export const audienceExecutionSchema: JSONSchemaType<AudienceExecutionRequest> = {
  type: 'object',
  additionalProperties: false,
  required: ['campaignId'],
  properties: {
    requestId: { type: 'string', minLength: 1, maxLength: 128, nullable: true },
    campaignId: { type: 'string', minLength: 1, maxLength: 128 },
    audience: {
      type: 'object',
      additionalProperties: false,
      required: ['id'],
      properties: { id: { type: 'string', minLength: 1, maxLength: 128 } },
      nullable: true,
    },
    context: { type: 'object', required: [], nullable: true },
    schedule: {
      type: 'object',
      additionalProperties: false,
      required: ['executeAt'],
      properties: { executeAt: { type: 'string', format: 'date-time', maxLength: 64 } },
      nullable: true,
    },
  },
};
