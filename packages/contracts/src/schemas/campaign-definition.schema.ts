import { LOCALE_PATTERN, NAMESPACE_PATTERN, SINGLE_LINE_PATTERN } from './common';

const emailContent = {
  type: 'object',
  additionalProperties: false,
  required: ['subject'],
  anyOf: [{ required: ['html'] }, { required: ['text'] }],
  properties: {
    subject: { type: 'string', minLength: 1, maxLength: 998 },
    html: { type: 'string', minLength: 1, maxLength: 512_000 },
    text: { type: 'string', minLength: 1, maxLength: 512_000 },
  },
} as const;

/**
 * JSON Schema of a campaign definition (`POST /campaigns`). The delivery issue widens
 * `channel` to SMS and push; today e-mail is the only channel with content rules.
 */
export const campaignDefinitionSchema = {
  $id: 'https://herald.dev/schemas/campaign-definition.json',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'type', 'channel', 'channelConfig', 'content', 'contextSchema', 'identityNamespace'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string', maxLength: 2000 },
    tags: {
      type: 'array',
      maxItems: 50,
      uniqueItems: true,
      items: { type: 'string', minLength: 1, maxLength: 100 },
    },
    type: { enum: ['transactional', 'marketing'] },
    channel: { enum: ['email'] },
    channelConfig: {
      type: 'object',
      additionalProperties: false,
      properties: {
        email: {
          type: 'object',
          additionalProperties: false,
          required: ['fromAddress'],
          properties: {
            fromAddress: { type: 'string', format: 'email', maxLength: 254 },
            fromName: { type: 'string', maxLength: 200, pattern: SINGLE_LINE_PATTERN },
            replyTo: { type: 'string', format: 'email', maxLength: 254 },
          },
        },
      },
    },
    content: {
      type: 'object',
      additionalProperties: false,
      required: ['defaultLocale', 'locales'],
      properties: {
        defaultLocale: { type: 'string', pattern: LOCALE_PATTERN },
        locales: {
          type: 'object',
          minProperties: 1,
          maxProperties: 100,
          propertyNames: { pattern: LOCALE_PATTERN },
          additionalProperties: emailContent,
        },
      },
    },
    // Checked further by compiling it: it must be a valid JSON Schema for an object.
    contextSchema: { type: 'object', maxProperties: 100 },
    identityNamespace: { type: 'string', pattern: NAMESPACE_PATTERN },
    createProfiles: { type: 'boolean', default: false },
  },
} as const;
