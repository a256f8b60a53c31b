import { Schema, type Connection, type Model } from 'mongoose';
import type { FrequencyCap, IdempotencySettings, QuietHours, SmsSettings } from '@herald/contracts';
import { SCHEMA_OPTIONS } from './schema-options';

export interface SandboxSettingsDoc {
  sandbox: string;
  frequencyCaps: Record<string, FrequencyCap>;
  quietHours?: QuietHours;
  idempotency?: IdempotencySettings;
  sms?: SmsSettings;
  updatedAt: Date;
}

export const sandboxSettingsSchema = new Schema<SandboxSettingsDoc>(
  {
    sandbox: { type: String, required: true },
    // Validated at the API and replaced whole; mixed so it round-trips untouched.
    frequencyCaps: { type: Schema.Types.Mixed, required: true },
    quietHours: { type: Schema.Types.Mixed },
    idempotency: { type: Schema.Types.Mixed },
    sms: { type: Schema.Types.Mixed },
    updatedAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'sandbox_settings' },
);

// settings.get / put (replace with upsert): {sandbox}. Unique: one settings document per sandbox,
// so two concurrent first writes cannot create two.
sandboxSettingsSchema.index({ sandbox: 1 }, { unique: true });

export type SandboxSettingsModel = Model<SandboxSettingsDoc>;

export function sandboxSettingsModel(connection: Connection): SandboxSettingsModel {
  return connection.model<SandboxSettingsDoc>('SandboxSettings', sandboxSettingsSchema);
}
