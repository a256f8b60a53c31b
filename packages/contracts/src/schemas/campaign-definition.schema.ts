import { LOCALE_PATTERN, NAMESPACE_PATTERN, REGION_PATTERN, SINGLE_LINE_PATTERN } from './common';

/** Longest template source of a single-line field (subject, title, URL). */
const LINE_TEMPLATE_MAX = 2000;
/** Longest template source of a message body (HTML, text). */
const BODY_TEMPLATE_MAX = 512_000;

/** An access label: who may see or edit a campaign. */
export const LABEL_PATTERN = '^[A-Za-z0-9_.:-]{1,64}$';

/**
 * Extra e-mail headers are limited to `X-…` names so they can never override routing headers;
 * `X-SG-…` are SendGrid's own (X-SG-ID, X-SG-EID), which it refuses a message to set.
 */
export const EMAIL_HEADER_NAME_PATTERN = '^X-(?![Ss][Gg]-)[A-Za-z0-9-]{1,64}$';

/**
 * SMS sender: an E.164 number, an alphanumeric sender id of at most 11 characters, or a Twilio
 * Messaging Service SID (`MG` and 32 hex digits), which sends from the service's own number pool.
 */
export const SMS_SENDER_PATTERN = '^(\\+[1-9][0-9]{6,14}|[A-Za-z0-9][A-Za-z0-9 .-]{0,10}|MG[0-9a-fA-F]{32})$';

const httpsUrl = { type: 'string', format: 'uri', pattern: '^https://', maxLength: 2048 } as const;

const emailConfig = {
  type: 'object',
  additionalProperties: false,
  required: ['fromAddress'],
  properties: {
    fromAddress: { type: 'string', format: 'email', maxLength: 254 },
    fromName: { type: 'string', maxLength: 200, pattern: SINGLE_LINE_PATTERN },
    replyTo: { type: 'string', format: 'email', maxLength: 254 },
    headers: {
      type: 'object',
      maxProperties: 20,
      propertyNames: { pattern: EMAIL_HEADER_NAME_PATTERN },
      additionalProperties: { type: 'string', maxLength: 998, pattern: SINGLE_LINE_PATTERN },
    },
    tracking: {
      type: 'object',
      additionalProperties: false,
      required: ['opens', 'clicks'],
      properties: { opens: { type: 'boolean' }, clicks: { type: 'boolean' } },
    },
  },
} as const;

const smsConfig = {
  type: 'object',
  additionalProperties: false,
  required: ['sender'],
  properties: {
    sender: { type: 'string', pattern: SMS_SENDER_PATTERN },
    defaultRegion: {
      type: 'string',
      pattern: REGION_PATTERN,
      description:
        "Region (ISO 3166 alpha-2, e.g. `US`) that phone numbers written without `+` are read in; overrides the sandbox's `sms.defaultRegion`.",
    },
    tracking: {
      type: 'object',
      additionalProperties: false,
      required: ['clicks'],
      properties: { clicks: { type: 'boolean' } },
      description:
        'Click tracking: each `http(s)://` link of the rendered body is sent as a short tracker link (`/s/<code>`, 10-character code), and the segment count at activation and in previews is of the shortened body.',
    },
  },
} as const;

const pushConfig = {
  type: 'object',
  additionalProperties: false,
  properties: {
    appId: {
      type: 'string',
      minLength: 1,
      maxLength: 256,
      pattern: '^\\S+$',
      description:
        "The app sent for: its FCM app id or iOS bundle id (or a web app's id). Set: the profiles' device tokens and subscriptions of that app, and the rendered payload must fit 4 KB. Unset: every Web Push subscription.",
    },
    ttlSeconds: { type: 'integer', minimum: 0, maximum: 2_419_200 },
    urgency: { enum: ['very-low', 'low', 'normal', 'high'] },
    defaultUrl: httpsUrl,
    defaultIcon: httpsUrl,
  },
} as const;

/** Every content field any channel uses; each channel's branch below narrows it. */
const localeContent = {
  type: 'object',
  additionalProperties: false,
  properties: {
    subject: { type: 'string', minLength: 1, maxLength: LINE_TEMPLATE_MAX, pattern: SINGLE_LINE_PATTERN },
    html: { type: 'string', minLength: 1, maxLength: BODY_TEMPLATE_MAX },
    text: { type: 'string', minLength: 1, maxLength: BODY_TEMPLATE_MAX },
    body: { type: 'string', minLength: 1, maxLength: 10_000 },
    title: { type: 'string', minLength: 1, maxLength: LINE_TEMPLATE_MAX, pattern: SINGLE_LINE_PATTERN },
    url: { type: 'string', minLength: 1, maxLength: LINE_TEMPLATE_MAX },
    icon: { type: 'string', minLength: 1, maxLength: LINE_TEMPLATE_MAX },
    data: {
      type: 'object',
      maxProperties: 20,
      propertyNames: { pattern: '^[A-Za-z0-9_.-]{1,64}$' },
      additionalProperties: { type: 'string', maxLength: 4096 },
    },
  },
} as const;

/**
 * What one channel requires and refuses: its own settings must be present, other channels'
 * settings and content fields are refused (a `false` schema names the field at fault).
 */
function channelRule(
  channel: 'email' | 'sms' | 'push',
  content: { required: readonly string[]; anyOf?: readonly object[]; refused: readonly string[] },
) {
  const otherChannels = (['email', 'sms', 'push'] as const).filter((other) => other !== channel);
  return {
    if: { type: 'object', required: ['channel'], properties: { channel: { const: channel } } },
    then: {
      type: 'object',
      required: ['channelConfig'],
      properties: {
        channelConfig: {
          type: 'object',
          required: [channel],
          properties: Object.fromEntries(otherChannels.map((other) => [other, false])),
        },
        content: {
          type: 'object',
          properties: {
            locales: {
              type: 'object',
              additionalProperties: {
                type: 'object',
                required: content.required,
                ...(content.anyOf ? { anyOf: content.anyOf } : {}),
                properties: Object.fromEntries(content.refused.map((field) => [field, false])),
              },
            },
          },
        },
      },
    },
  } as const;
}

/** JSON Schema of a campaign definition (`POST /campaigns`, `PUT /campaigns/{id}`). */
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
    labels: {
      type: 'array',
      maxItems: 50,
      uniqueItems: true,
      items: { type: 'string', pattern: LABEL_PATTERN },
    },
    type: { enum: ['transactional', 'marketing'] },
    channel: { enum: ['email', 'sms', 'push'] },
    channelConfig: {
      type: 'object',
      additionalProperties: false,
      properties: { email: emailConfig, sms: smsConfig, push: pushConfig },
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
          additionalProperties: localeContent,
        },
      },
    },
    // Checked further by compiling it: it must be a valid JSON Schema for an object.
    contextSchema: { type: 'object', maxProperties: 100 },
    identityNamespace: { type: 'string', pattern: NAMESPACE_PATTERN },
    createProfiles: { type: 'boolean', default: false },
    unknownProfiles: {
      enum: ['reject', 'exclude'],
      description:
        'With `createProfiles` off, unitary calls naming `aep` recipients without a profile: `reject` (default) answers 400 `unknown-profiles` and queues nothing; `exclude` accepts the call and excludes them (`profile-not-found`).',
    },
    audience: {
      type: 'object',
      additionalProperties: false,
      required: ['id'],
      properties: { id: { type: 'string', minLength: 1, maxLength: 128 } },
    },
    schedule: {
      type: 'object',
      additionalProperties: false,
      properties: {
        start: { type: 'string', format: 'date-time', maxLength: 64 },
        end: { type: 'string', format: 'date-time', maxLength: 64 },
      },
    },
    throttle: {
      type: 'object',
      additionalProperties: false,
      required: ['perSecond'],
      properties: { perSecond: { type: 'integer', minimum: 1, maximum: 2000 } },
    },
    // No `default`: validation would write it into every stored definition.
    enableWebhooks: {
      type: 'boolean',
      description:
        "Post this campaign's feedback events to the sandbox's webhook subscriptions (`/webhooks`); read from the live version. Absent: false.",
    },
  },
  allOf: [
    channelRule('email', {
      required: ['subject'],
      anyOf: [{ required: ['html'] }, { required: ['text'] }],
      refused: ['body', 'title', 'url', 'icon', 'data'],
    }),
    channelRule('sms', {
      required: ['body'],
      refused: ['subject', 'html', 'text', 'title', 'url', 'icon', 'data'],
    }),
    channelRule('push', { required: ['title', 'body'], refused: ['subject', 'html', 'text'] }),
  ],
} as const;
