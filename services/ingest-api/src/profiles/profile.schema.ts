import { pageQueryProperties, type PageQuery } from '../http/page-query';
import { LOCALE_PATTERN, MOBILE_PUSH_PLATFORMS, NAMESPACE_PATTERN } from '@herald/contracts';

export const MAX_IDENTITIES = 20;
export const MAX_PUSH_SUBSCRIPTIONS = 20;
export const MAX_PUSH_TOKENS = 20;
export const MAX_BULK_PROFILES = 1000;
export const MAX_ENDPOINT_LENGTH = 2048;

/** 65 bytes (an uncompressed P-256 point) in unpadded base64url. */
export const P256DH_PATTERN = '^[A-Za-z0-9_-]{87}$';
/** 16 bytes in unpadded base64url. */
export const AUTH_SECRET_PATTERN = '^[A-Za-z0-9_-]{22}$';

const consentValue = { enum: ['y', 'n'] };

export const identitySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['namespace', 'id'],
  properties: {
    namespace: { type: 'string', pattern: NAMESPACE_PATTERN, description: 'e.g. `email`, `crmId`.' },
    id: { type: 'string', minLength: 1, maxLength: 256 },
  },
} as const;

export const pushSubscriptionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['endpoint', 'keys'],
  properties: {
    endpoint: {
      type: 'string',
      format: 'uri',
      maxLength: MAX_ENDPOINT_LENGTH,
      pattern: '^[Hh][Tt][Tt][Pp][Ss]?://',
      description:
        'Push service URL. HTTPS only, and never a loopback, private or link-local literal address, unless the deployment allows private push endpoints (development and tests).',
    },
    keys: {
      type: 'object',
      additionalProperties: false,
      required: ['p256dh', 'auth'],
      properties: {
        p256dh: {
          type: 'string',
          pattern: P256DH_PATTERN,
          description: 'Unpadded base64url of the uncompressed P-256 public key (65 bytes, first byte 0x04).',
        },
        auth: {
          type: 'string',
          pattern: AUTH_SECRET_PATTERN,
          description: 'Unpadded base64url of the 16-byte authentication secret.',
        },
      },
    },
    appId: { type: 'string', minLength: 1, maxLength: 128 },
  },
} as const;

/** An FCM registration token: opaque, printable ASCII, at most 4 KB. */
export const FCM_TOKEN_PATTERN = '^[\\x21-\\x7E]{1,4096}$';
/** An APNs device token: 32 bytes in hex. */
export const APNS_TOKEN_PATTERN = '^[0-9A-Fa-f]{64}$';

/** The app a device token or push campaign belongs to: the FCM app id or the iOS bundle id. */
export const pushAppIdSchema = { type: 'string', minLength: 1, maxLength: 256, pattern: '^\\S+$' } as const;

/** The token's format depends on its platform: each branch names the field at fault. */
export const deviceTokenRules = [
  {
    if: { properties: { platform: { const: 'fcm' } } },
    then: { properties: { token: { type: 'string', pattern: FCM_TOKEN_PATTERN } } },
  },
  {
    if: { properties: { platform: { enum: ['apns', 'apnsSandbox'] } } },
    then: { properties: { token: { type: 'string', pattern: APNS_TOKEN_PATTERN } } },
  },
] as const;

export const pushTokenSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['appId', 'platform', 'token'],
  properties: {
    appId: pushAppIdSchema,
    platform: { enum: MOBILE_PUSH_PLATFORMS },
    token: {
      type: 'string',
      minLength: 1,
      maxLength: 4096,
      description:
        'FCM: the registration token (opaque, at most 4 KB). APNs: the device token, 64 hex digits.',
    },
  },
  allOf: deviceTokenRules,
} as const;

/** A profile as callers give it to create or upsert (`ProfileInput`). */
export const profileInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['identities'],
  properties: {
    identities: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_IDENTITIES,
      items: identitySchema,
      description: 'Each identity belongs to at most one profile of the sandbox.',
    },
    attributes: {
      type: 'object',
      description:
        'Free JSON, at most 64 KB serialized and 32 levels deep. Keys must not start with `$` nor contain `.`.',
    },
    preferredLanguage: { type: 'string', maxLength: 35, pattern: LOCALE_PATTERN },
    timezone: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: 'An IANA time zone such as `Europe/Paris`; stored in its canonical spelling.',
    },
    consents: {
      type: 'object',
      additionalProperties: false,
      required: ['marketing'],
      properties: {
        marketing: {
          type: 'object',
          additionalProperties: false,
          properties: { email: consentValue, sms: consentValue, push: consentValue },
        },
      },
    },
    pushSubscriptions: {
      type: 'array',
      maxItems: MAX_PUSH_SUBSCRIPTIONS,
      items: pushSubscriptionSchema,
    },
    pushTokens: {
      type: 'array',
      maxItems: MAX_PUSH_TOKENS,
      uniqueItems: true,
      items: pushTokenSchema,
      description: 'Mobile app installs: FCM and APNs device tokens, each for one app.',
    },
  },
} as const;

export const bulkProfilesSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['profiles'],
  properties: {
    profiles: { type: 'array', minItems: 1, maxItems: MAX_BULK_PROFILES, items: profileInputSchema },
  },
} as const;

/** `GET /profiles` query: an identity lookup (namespace + identity) or a page of profiles. */
export const profileQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    namespace: { type: 'string', pattern: NAMESPACE_PATTERN },
    identity: { type: 'string', minLength: 1, maxLength: 256 },
    ...pageQueryProperties,
  },
} as const;

export interface ProfileQuery extends PageQuery {
  namespace?: string;
  identity?: string;
}
