import { pageQueryProperties, type PageQuery } from '../http/page-query';
import { CHANNELS, type Channel } from '@herald/contracts';
import type { SuppressionReason } from '@herald/store';

export const E164_PATTERN = '^\\+[1-9][0-9]{6,14}$';
export const MAX_ADDRESS_LENGTH = 2048;

export const SUPPRESSION_REASONS: readonly SuppressionReason[] = [
  'hard-bounce',
  'spam-complaint',
  'soft-bounce-limit',
  'manual',
  'unsubscribed',
];

export interface NewSuppressionBody {
  channel: Channel;
  address: string;
  reason: SuppressionReason;
  source: string;
}

/** The address rule of one channel, applied when `channel` is that channel. */
function whenChannel(channel: Channel, address: Record<string, unknown>): Record<string, unknown> {
  return {
    if: { type: 'object', required: ['channel'], properties: { channel: { const: channel } } },
    then: { type: 'object', properties: { address: { type: 'string', ...address } } },
  };
}

export const newSuppressionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['channel', 'address', 'reason'],
  properties: {
    channel: { enum: [...CHANNELS] },
    address: {
      type: 'string',
      minLength: 1,
      maxLength: MAX_ADDRESS_LENGTH,
      description:
        'email: an e-mail address (matched case-insensitively, stored lower-cased); sms: an E.164 number; push: the subscription endpoint (https URL).',
    },
    reason: { enum: [...SUPPRESSION_REASONS] },
    source: {
      type: 'string',
      pattern: '^[A-Za-z0-9_.:-]{1,64}$',
      default: 'api',
      description: 'Who added the entry (e.g. `api`, `sendgrid-webhook`).',
    },
  },
  allOf: [
    whenChannel('email', { format: 'email', maxLength: 254 }),
    whenChannel('sms', { pattern: E164_PATTERN }),
    whenChannel('push', { format: 'uri', pattern: '^[Hh][Tt][Tt][Pp][Ss]://' }),
  ],
} as const;

export interface SuppressionListQuery extends PageQuery {
  channel: Channel;
}

export const suppressionListQuerySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['channel'],
  properties: {
    channel: { enum: [...CHANNELS] },
    ...pageQueryProperties,
  },
} as const;
