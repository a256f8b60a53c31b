import { FEEDBACK_EVENT_TYPES, type FeedbackEventType } from '@herald/contracts';
import { pageQueryProperties, type PageQuery } from '../http/page-query';

const url = {
  type: 'string',
  format: 'uri',
  maxLength: 2048,
  description:
    'Where events are POSTed: `https`, on a public address (`http` and private addresses only with `ALLOW_PRIVATE_URLS`). Redirects are not followed.',
} as const;

const events = {
  type: 'array',
  minItems: 1,
  maxItems: FEEDBACK_EVENT_TYPES.length,
  uniqueItems: true,
  items: { enum: [...FEEDBACK_EVENT_TYPES] },
  description: 'The event types posted to this URL.',
} as const;

const description = { type: 'string', maxLength: 500 } as const;

export interface NewWebhookBody {
  url: string;
  events: FeedbackEventType[];
  description?: string;
}

export const newWebhookSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url', 'events'],
  properties: { url, events, description },
} as const;

export interface WebhookPatchBody {
  url?: string;
  events?: FeedbackEventType[];
  description?: string;
  enabled?: boolean;
}

export const webhookPatchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    url,
    events,
    description,
    enabled: {
      type: 'boolean',
      description: '`true` turns a disabled subscription back on and clears `disabledReason`.',
    },
  },
} as const;

export type WebhookListQuery = PageQuery;

export const webhookListQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { ...pageQueryProperties },
} as const;
