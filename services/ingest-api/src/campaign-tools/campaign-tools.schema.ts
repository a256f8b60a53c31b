import { LOCALE_PATTERN, recipientSchema } from '@herald/contracts';
import { identitySchema, pushSubscriptionSchema, profileInputSchema } from '../profiles/profile.schema';

/** Most recipients one test-send may address: it is a check, not a channel to send through. */
export const MAX_TEST_RECIPIENTS = 10;

const version = {
  type: 'integer',
  minimum: 1,
  maximum: 1_000_000,
  description: 'Campaign version to use; default: the newest one (the draft being edited).',
} as const;

const context = {
  type: 'object',
  maxProperties: 500,
  description:
    "The recipient's context, validated against the campaign's `contextSchema`; default: sample values generated from it.",
} as const;

/** Call-time profile attributes laid over the stored ones, as a trigger's `recipients[].profile`. */
const profileOverlay = { type: 'object', maxProperties: 200 } as const;

const inlineProfile = {
  type: 'object',
  additionalProperties: false,
  properties: {
    identities: { ...profileInputSchema.properties.identities, minItems: 0 },
    attributes: { type: 'object', maxProperties: 200 },
    preferredLanguage: profileInputSchema.properties.preferredLanguage,
    pushSubscriptions: profileInputSchema.properties.pushSubscriptions,
  },
} as const;

/** Body of `POST /campaigns/{id}/preview`. */
export const previewSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    version,
    profile: {
      description: 'A stored profile (by identity) or one given inline; default: no profile.',
      oneOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['identity'],
          properties: { identity: identitySchema },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['inline'],
          properties: { inline: inlineProfile },
        },
      ],
    },
    channelData: recipientSchema.properties.channelData,
    context,
    locale: {
      type: 'string',
      maxLength: 35,
      pattern: LOCALE_PATTERN,
      description: 'Preview this locale of the campaign only; default: every locale.',
    },
  },
} as const;

export interface PreviewRequest {
  version?: number;
  profile?:
    | { identity: { namespace: string; id: string } }
    | {
        inline: {
          identities?: Array<{ namespace: string; id: string }>;
          attributes?: Record<string, unknown>;
          preferredLanguage?: string;
          pushSubscriptions?: Array<{
            endpoint: string;
            keys: { p256dh: string; auth: string };
            appId?: string;
          }>;
        };
      };
  channelData?: {
    emailAddress?: string;
    mobilePhoneNumber?: string;
    pushInfo?: Record<string, unknown>;
  };
  context?: Record<string, unknown>;
  locale?: string;
}

/** Body of `POST /campaigns/{id}/test-send`. */
export const testSendSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['recipients'],
  properties: {
    version,
    recipients: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_TEST_RECIPIENTS,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['address'],
        properties: {
          address: {
            description:
              'E-mail campaigns: an e-mail address; SMS: a phone number with its country code; push: a Web Push subscription.',
            oneOf: [{ type: 'string', minLength: 1, maxLength: 254 }, pushSubscriptionSchema],
          },
          context,
          profile: profileOverlay,
        },
      },
    },
  },
} as const;

export type TestAddress =
  string | { endpoint: string; keys: { p256dh: string; auth: string }; appId?: string };

export interface TestSendRequest {
  version?: number;
  recipients: Array<{
    address: TestAddress;
    context?: Record<string, unknown>;
    profile?: Record<string, unknown>;
  }>;
}
