import { Schema, type Connection, type Model } from 'mongoose';
import type { Identity } from '@herald/contracts';
import { identitySchema } from './identity.schema';
import { SCHEMA_OPTIONS } from './schema-options';

export interface AudienceDoc {
  id: string;
  sandbox: string;
  name: string;
  description?: string;
  kind: 'query' | 'static';
  /**
   * The profile query as JSON text: its operators are `$`-prefixed and its paths dotted, which
   * MongoDB would otherwise read as operators and paths of the stored document itself.
   */
  query?: string;
  identities?: Identity[];
  createdAt: Date;
  updatedAt: Date;
}

/** `_id` is left to MongoDB: a caller may choose the id, unique per sandbox only. */
export const audienceSchema = new Schema<AudienceDoc>(
  {
    id: { type: String, required: true },
    sandbox: { type: String, required: true },
    name: { type: String, required: true },
    description: { type: String },
    kind: { type: String, enum: ['query', 'static'], required: true },
    query: { type: String },
    // No implicit `[]`: a query audience has no member list at all.
    identities: { type: [identitySchema], default: undefined },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'audiences' },
);

// audiences.get / delete: {sandbox, id}; audiences.list: {sandbox, id: {$gt: cursor}} sorted by id.
// Unique: one audience per id in a sandbox.
audienceSchema.index({ sandbox: 1, id: 1 }, { unique: true });

export type AudienceModel = Model<AudienceDoc>;

export function audienceModel(connection: Connection): AudienceModel {
  return connection.model<AudienceDoc>('Audience', audienceSchema);
}
