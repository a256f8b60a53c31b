import { Schema, type Connection, type Model } from 'mongoose';
import type { Execution } from '@herald/contracts';
import { SCHEMA_OPTIONS } from './schema-options';

/** An execution as stored: its id as `_id`, and BSON dates. */
export interface ExecutionDoc extends Omit<Execution, 'id' | 'createdAt' | 'updatedAt'> {
  /** The execution id (UUIDv7 from the ingest), so ids sort in creation order. */
  _id: string;
  /**
   * An audience execution's context as JSON text: a context's keys may be anything JSON allows,
   * `$`-prefixed and dotted ones included, which field names in MongoDB may not.
   */
  contextJson?: string;
  createdAt: Date;
  updatedAt: Date;
}

export const executionSchema = new Schema<ExecutionDoc>(
  {
    _id: { type: String, required: true },
    sandbox: { type: String, required: true },
    kind: { type: String, enum: ['unitary', 'highthroughput', 'audience'], required: true },
    campaignId: { type: String, required: true },
    campaignVersion: { type: Number, required: true },
    requestId: { type: String, required: true },
    recipientCount: { type: Number, required: true },
    status: { type: String, enum: ['accepted', 'queued', 'failed'], required: true },
    error: { type: String },
    createdBy: { type: String },
    audienceId: { type: String },
    targetedProfileCount: { type: Number },
    fanOutCursor: { type: String },
    contextJson: { type: String },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'executions' },
);

// executions.listByCampaign: {sandbox, campaignId, _id: {$gt: cursor}} sorted by _id (creation order).
// executions.get needs none beyond the default _id index.
executionSchema.index({ sandbox: 1, campaignId: 1, _id: 1 });

export type ExecutionModel = Model<ExecutionDoc>;

export function executionModel(connection: Connection): ExecutionModel {
  return connection.model<ExecutionDoc>('Execution', executionSchema);
}
