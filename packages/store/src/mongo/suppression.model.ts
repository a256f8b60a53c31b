import { Schema, type Connection, type Model } from 'mongoose';
import { CHANNELS } from '@herald/contracts';
import type { Channel } from '@herald/contracts';
import type { SuppressionReason } from '../ports';
import { SCHEMA_OPTIONS } from './schema-options';

export interface SuppressionDoc {
  sandbox: string;
  channel: Channel;
  /** Normalised (e-mail lower-cased) before every write and lookup. */
  address: string;
  reason: SuppressionReason;
  source: string;
  createdAt: Date;
}

export const suppressionSchema = new Schema<SuppressionDoc>(
  {
    sandbox: { type: String, required: true },
    channel: { type: String, enum: CHANNELS, required: true },
    address: { type: String, required: true },
    reason: {
      type: String,
      enum: ['hard-bounce', 'spam-complaint', 'soft-bounce-limit', 'manual', 'unsubscribed'],
      required: true,
    },
    source: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'suppressions' },
);

// suppressions.find / remove / add (upsert): {sandbox, channel, address};
// suppressions.list: {sandbox, channel, address: {$gt: cursor}} sorted by address.
// Unique: an address is suppressed once per sandbox and channel, which makes `add` idempotent.
suppressionSchema.index({ sandbox: 1, channel: 1, address: 1 }, { unique: true });

export type SuppressionModel = Model<SuppressionDoc>;

export function suppressionModel(connection: Connection): SuppressionModel {
  return connection.model<SuppressionDoc>('Suppression', suppressionSchema);
}
