import { Schema, type Connection, type Model } from 'mongoose';
import { CHANNELS, DELIVERY_STATUSES } from '@herald/contracts';
import type { Delivery, DeliveryEvent } from '@herald/contracts';
import { ConfigError } from '@herald/errors';
import { SCHEMA_OPTIONS, SUBDOCUMENT_OPTIONS } from './schema-options';

export const DEFAULT_DELIVERY_RETENTION_DAYS = 180;

/** Name of the TTL index, fixed so its expiry can be changed in place (collMod) by name. */
export const DELIVERY_TTL_INDEX = 'createdAt_ttl';

/** A delivery event as stored: the same fields, with a BSON date. */
export type DeliveryEventDoc = Omit<DeliveryEvent, 'at'> & { at: Date };

/** A delivery as stored: its id as `_id`, and BSON dates (which the TTL index needs). */
export interface DeliveryDoc extends Omit<Delivery, 'id' | 'history' | 'createdAt' | 'updatedAt'> {
  /** The delivery id (`<executionId>-r<index>`, also the queue job id). */
  _id: string;
  history: DeliveryEventDoc[];
  createdAt: Date;
  updatedAt: Date;
}

const deliveryEventSchema = new Schema<DeliveryEventDoc>(
  {
    status: { type: String, enum: DELIVERY_STATUSES, required: true },
    at: { type: Date, required: true },
    reason: { type: String },
    detail: { type: String },
  },
  SUBDOCUMENT_OPTIONS,
);

export function retentionSeconds(days: number): number {
  if (!Number.isFinite(days) || days <= 0) {
    throw new ConfigError(`deliveryRetentionDays must be a positive number of days, not ${days}.`);
  }
  return Math.round(days * 86_400);
}

/** Built per store: the TTL index depends on the configured retention. */
export function deliverySchema(retentionDays: number): Schema<DeliveryDoc> {
  const schema = new Schema<DeliveryDoc>(
    {
      _id: { type: String, required: true },
      sandbox: { type: String, required: true },
      executionId: { type: String, required: true },
      campaignId: { type: String, required: true },
      campaignVersion: { type: Number, required: true },
      recipientIndex: { type: Number, required: true },
      channel: { type: String, enum: CHANNELS, required: true },
      status: { type: String, enum: DELIVERY_STATUSES, required: true },
      reason: { type: String },
      address: { type: String },
      profileId: { type: String },
      providerMessageId: { type: String },
      attempts: { type: Number, required: true },
      lastError: { type: String },
      history: { type: [deliveryEventSchema], required: true },
      createdAt: { type: Date, required: true },
      updatedAt: { type: Date, required: true },
    },
    { ...SCHEMA_OPTIONS, collection: 'deliveries' },
  );

  // deliveries.listByExecution: {sandbox, executionId, recipientIndex: {$gt: cursor}} sorted by recipientIndex.
  // deliveries.get, the upserts of record/recordMany, recordMany's {_id: {$in: ids}} read and
  // recordFeedback's {_id, sandbox, status: {$in}} update and {_id, sandbox} read use the
  // default _id index.
  // deliveries.countByExecution: $match {sandbox, executionId}, then $group by status and reason.
  schema.index({ sandbox: 1, executionId: 1, recipientIndex: 1 });
  // deliveries.listByExecution with a status filter: {sandbox, executionId, status,
  // recipientIndex: {$gt: cursor}} sorted by recipientIndex (the failures of an execution).
  schema.index({ sandbox: 1, executionId: 1, status: 1, recipientIndex: 1 });
  // No query: the TTL monitor removes delivery records once they are older than the retention.
  schema.index(
    { createdAt: 1 },
    { name: DELIVERY_TTL_INDEX, expireAfterSeconds: retentionSeconds(retentionDays) },
  );

  return schema;
}

export type DeliveryModel = Model<DeliveryDoc>;

export function deliveryModel(connection: Connection, retentionDays: number): DeliveryModel {
  return connection.model<DeliveryDoc>('Delivery', deliverySchema(retentionDays));
}
