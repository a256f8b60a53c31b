import { Schema, type Connection, type Model } from 'mongoose';
import type { CampaignStatus } from '@herald/contracts';
import type { StoredDefinition } from './campaign-definition';
import { SCHEMA_OPTIONS } from './schema-options';

/** Current state of a campaign; its immutable versions live in `campaign_versions`. */
export interface CampaignDoc {
  id: string;
  sandbox: string;
  status: CampaignStatus;
  latestVersion: number;
  liveVersion: number | null;
  /** Definition of `latestVersion`, so reading a campaign needs one document. */
  definition: StoredDefinition;
  createdAt: Date;
  updatedAt: Date;
}

export const CAMPAIGN_STATUSES: readonly CampaignStatus[] = [
  'draft',
  'scheduled',
  'live',
  'stopped',
  'completed',
  'archived',
];

/**
 * `_id` is left to MongoDB: a caller may choose a campaign's id, and ids are unique per
 * sandbox only (the same id can be promoted from a test sandbox to `prod`).
 */
export const campaignSchema = new Schema<CampaignDoc>(
  {
    id: { type: String, required: true },
    sandbox: { type: String, required: true },
    status: { type: String, enum: CAMPAIGN_STATUSES, required: true },
    latestVersion: { type: Number, required: true },
    liveVersion: { type: Number, default: null },
    definition: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'campaigns' },
);

// campaigns.get / addVersion / transition: {sandbox, id}; campaigns.list: {sandbox, id: {$gt}} sorted by id.
// Unique: one campaign per id in a sandbox (create with a taken id fails with E11000).
campaignSchema.index({ sandbox: 1, id: 1 }, { unique: true });

export type CampaignModel = Model<CampaignDoc>;

export function campaignModel(connection: Connection): CampaignModel {
  return connection.model<CampaignDoc>('Campaign', campaignSchema);
}
