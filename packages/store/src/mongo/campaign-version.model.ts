import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { StoredDefinition } from './campaign-definition';
import { SCHEMA_OPTIONS } from './schema-options';

/** One immutable version of a campaign's definition. */
export interface CampaignVersionDoc {
  _id: Types.ObjectId;
  campaignId: string;
  sandbox: string;
  version: number;
  definition: StoredDefinition;
  createdAt: Date;
}

export const campaignVersionSchema = new Schema<CampaignVersionDoc>(
  {
    campaignId: { type: String, required: true },
    sandbox: { type: String, required: true },
    version: { type: Number, required: true },
    definition: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'campaign_versions' },
);

// campaigns.getVersion: {sandbox, campaignId, version}; campaigns.listVersions: {sandbox, campaignId,
// version: {$gt}} sorted by version. Unique: two writers appending the same version number race
// on this index, and the loser gets E11000 (addVersion's version-conflict).
campaignVersionSchema.index({ sandbox: 1, campaignId: 1, version: 1 }, { unique: true });

export type CampaignVersionModel = Model<CampaignVersionDoc>;

export function campaignVersionModel(connection: Connection): CampaignVersionModel {
  return connection.model<CampaignVersionDoc>('CampaignVersion', campaignVersionSchema);
}
