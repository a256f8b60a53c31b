import { Schema, type Connection, type Model } from 'mongoose';
import type { ScheduleStatus } from '../ports';
import { SCHEMA_OPTIONS } from './schema-options';

export interface ScheduleDoc {
  id: string;
  sandbox: string;
  campaignId: string;
  audienceId?: string;
  /**
   * Caller data as JSON text: it is free JSON whose keys may hold `.` or start with `$`, which
   * MongoDB field names cannot safely carry.
   */
  context?: string;
  executeAt: Date;
  status: ScheduleStatus;
  executionId?: string;
  createdAt: Date;
  updatedAt: Date;
}

/** `_id` is left to MongoDB: a caller may choose the id, unique per sandbox only. */
export const scheduleSchema = new Schema<ScheduleDoc>(
  {
    id: { type: String, required: true },
    sandbox: { type: String, required: true },
    campaignId: { type: String, required: true },
    audienceId: { type: String },
    context: { type: String },
    executeAt: { type: Date, required: true },
    status: { type: String, enum: ['Scheduled', 'Triggered', 'Cancelled'], required: true },
    executionId: { type: String },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'schedules' },
);

// schedules.get: {sandbox, id}; schedules.settle: {sandbox, id, status: 'Scheduled'} (status is
// checked on the one document the index finds). Unique: one schedule per id in a sandbox.
scheduleSchema.index({ sandbox: 1, id: 1 }, { unique: true });

export type ScheduleModel = Model<ScheduleDoc>;

export function scheduleModel(connection: Connection): ScheduleModel {
  return connection.model<ScheduleDoc>('Schedule', scheduleSchema);
}
