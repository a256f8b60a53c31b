import { NAMESPACE_PATTERN } from './common';

export const recipientSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'userId', 'namespace'],
  properties: {
    type: { enum: ['aep', 'external'] },
    userId: { type: 'string', minLength: 1, maxLength: 256 },
    namespace: { type: 'string', pattern: NAMESPACE_PATTERN },
    channelData: {
      type: 'object',
      additionalProperties: false,
      properties: {
        emailAddress: { type: 'string', format: 'email', maxLength: 254 },
        // Digits as people write them (`(415) 555-0100`); SMS calls read them with libphonenumber.
        mobilePhoneNumber: { type: 'string', pattern: '^[0-9+() .-]{1,40}$' },
        pushInfo: {
          type: 'object',
          maxProperties: 20,
          description:
            "The one device to push to: AJO's `{appID, platform, token}` (platform `fcm`, `apns`, `apnsSandbox`, or `web` with the browser subscription as JSON in `token`), or a browser subscription `{endpoint, keys: {p256dh, auth}}`.",
        },
      },
    },
    profile: { type: 'object', maxProperties: 200 },
    context: { type: 'object', maxProperties: 500 },
    mergePolicyName: { type: 'string', maxLength: 256 },
    mergePolicySchema: { type: 'string', maxLength: 256 },
  },
} as const;

/**
 * Body of `POST /im/executions/unitary` (AJO Interactive Message Execution API).
 * `maxRecipients` is configurable, so the schema is built per configuration.
 */
export function unitaryExecutionSchema(maxRecipients: number) {
  return {
    $id: 'https://herald.dev/schemas/unitary-execution.json',
    type: 'object',
    additionalProperties: false,
    required: ['requestId', 'campaignId', 'recipients'],
    properties: {
      requestId: { type: 'string', minLength: 1, maxLength: 128 },
      campaignId: { type: 'string', minLength: 1, maxLength: 128 },
      recipients: { type: 'array', minItems: 1, maxItems: maxRecipients, items: recipientSchema },
    },
  } as const;
}
