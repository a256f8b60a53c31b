import { Schema, type Connection, type Model } from 'mongoose';
import { FEEDBACK_EVENT_TYPES, type FeedbackEventType } from '@herald/contracts';
import { WEBHOOK_LOG_RETENTION_DAYS, type WebhookDeliveryStatus } from '../webhook.ports';
import { SCHEMA_OPTIONS } from './schema-options';

export interface WebhookSubscriptionDoc {
  id: string;
  sandbox: string;
  url: string;
  events: FeedbackEventType[];
  description?: string;
  secret: string;
  previousSecret?: string;
  previousSecretExpiresAt?: Date;
  enabled: boolean;
  disabledReason?: string;
  failingSince?: Date;
  createdAt: Date;
  updatedAt: Date;
}

export const webhookSubscriptionSchema = new Schema<WebhookSubscriptionDoc>(
  {
    id: { type: String, required: true },
    sandbox: { type: String, required: true },
    url: { type: String, required: true },
    events: { type: [{ type: String, enum: FEEDBACK_EVENT_TYPES }], required: true },
    description: { type: String },
    secret: { type: String, required: true },
    previousSecret: { type: String },
    previousSecretExpiresAt: { type: Date },
    enabled: { type: Boolean, required: true },
    disabledReason: { type: String },
    failingSince: { type: Date },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'webhook_subscriptions' },
);

// get / update / rotateSecret / delete / mark*: {sandbox, id}; list: {sandbox, id: {$gt}} sorted by
// id; listEnabled: {sandbox, enabled} (a sandbox has few subscriptions: the index prefix serves it).
// Unique: one subscription per id in a sandbox.
webhookSubscriptionSchema.index({ sandbox: 1, id: 1 }, { unique: true });

export type WebhookSubscriptionModel = Model<WebhookSubscriptionDoc>;

export function webhookSubscriptionModel(connection: Connection): WebhookSubscriptionModel {
  return connection.model<WebhookSubscriptionDoc>('WebhookSubscription', webhookSubscriptionSchema);
}

export interface WebhookDeliveryDoc {
  sandbox: string;
  subscriptionId: string;
  eventId: string;
  /** The event as JSON text: replays post it again exactly. */
  event: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastError?: string;
  lastStatusCode?: number;
  responseTimeMs?: number;
  createdAt: Date;
  updatedAt: Date;
}

export const webhookDeliverySchema = new Schema<WebhookDeliveryDoc>(
  {
    sandbox: { type: String, required: true },
    subscriptionId: { type: String, required: true },
    eventId: { type: String, required: true },
    event: { type: String, required: true },
    status: { type: String, enum: ['pending', 'delivered', 'failed'], required: true },
    attempts: { type: Number, required: true },
    lastError: { type: String },
    lastStatusCode: { type: Number },
    responseTimeMs: { type: Number },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'webhook_deliveries' },
);

// recordQueued (upsert) / markReplayed / recordAttempt / get: {sandbox, subscriptionId, eventId}.
// Unique: an event is logged once per subscription, which makes recordQueued idempotent.
webhookDeliverySchema.index({ sandbox: 1, subscriptionId: 1, eventId: 1 }, { unique: true });
// listBySubscription: {sandbox, subscriptionId} and the cursor, sorted newest first; the
// subscription's delete: {sandbox, subscriptionId}.
webhookDeliverySchema.index({ sandbox: 1, subscriptionId: 1, createdAt: -1, eventId: -1 });
// No query: the TTL monitor removes log lines untouched for the retention period.
webhookDeliverySchema.index({ updatedAt: 1 }, { expireAfterSeconds: WEBHOOK_LOG_RETENTION_DAYS * 86_400 });

export type WebhookDeliveryModel = Model<WebhookDeliveryDoc>;

export function webhookDeliveryModel(connection: Connection): WebhookDeliveryModel {
  return connection.model<WebhookDeliveryDoc>('WebhookDelivery', webhookDeliverySchema);
}
