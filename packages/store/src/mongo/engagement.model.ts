import { Schema, type Connection, type Model } from 'mongoose';
import { CHANNELS } from '@herald/contracts';
import type { EngagementEvent } from '../ports';
import { SCHEMA_OPTIONS } from './schema-options';

/** The kinds of `EngagementKind`, for the schema's enum. */
const ENGAGEMENT_KINDS = [
  'sent',
  'delivered',
  'bounced',
  'failed',
  'excluded',
  'opened',
  'clicked',
  'unsubscribed',
] as const satisfies ReadonlyArray<EngagementEvent['kind']>;

/**
 * An engagement event as stored: a BSON date (range filters and bucket arithmetic), and the
 * machine flag always present so human and machine events group apart without a null case.
 */
export interface EngagementDoc extends Omit<EngagementEvent, 'at' | 'machine'> {
  at: Date;
  machine: boolean;
}

export const engagementSchema = new Schema<EngagementDoc>(
  {
    sandbox: { type: String, required: true },
    key: { type: String, required: true },
    campaignId: { type: String, required: true },
    executionId: { type: String, required: true },
    deliveryId: { type: String, required: true },
    channel: { type: String, enum: CHANNELS, required: true },
    kind: { type: String, enum: ENGAGEMENT_KINDS, required: true },
    at: { type: Date, required: true },
    reason: { type: String },
    linkId: { type: String },
    label: { type: String },
    machine: { type: Boolean, required: true },
    domain: { type: String },
    locale: { type: String },
  },
  { ...SCHEMA_OPTIONS, collection: 'engagement_events' },
);

// engagement.recordMany: unique, so a repeated key is refused (E11000) and counted once.
engagementSchema.index({ sandbox: 1, key: 1 }, { unique: true });
// engagement.count: $match {sandbox, campaignId, at: {$gte, $lt}} / {sandbox, executionId, at: …}.
engagementSchema.index({ sandbox: 1, campaignId: 1, at: 1 });
engagementSchema.index({ sandbox: 1, executionId: 1, at: 1 });

export type EngagementModel = Model<EngagementDoc>;

export function engagementModel(connection: Connection): EngagementModel {
  return connection.model<EngagementDoc>('EngagementEvent', engagementSchema);
}
