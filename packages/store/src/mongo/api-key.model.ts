import { Schema, type Connection, type Model } from 'mongoose';
import type { ApiKeyRole } from '../ports';
import { SCHEMA_OPTIONS } from './schema-options';

/** API keys belong to no sandbox: one key may be scoped to several. */
export interface ApiKeyDoc {
  /** The key's id (UUIDv7 unless given), so ids sort in creation order. */
  _id: string;
  name: string;
  /** SHA-256 of the key, hex. */
  hash: string;
  sandboxes: string[];
  roles: ApiKeyRole[];
  /** Campaign access labels; absent when none were given. */
  labels?: string[];
  createdAt: Date;
  revokedAt?: Date;
}

export const apiKeySchema = new Schema<ApiKeyDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    hash: { type: String, required: true },
    sandboxes: { type: [String], required: true },
    roles: { type: [{ type: String, enum: ['execute', 'manage', 'admin'] }], required: true },
    // No default: mongoose would store `[]` for keys given none, and read back a field they never had.
    labels: { type: [String], default: undefined },
    createdAt: { type: Date, required: true },
    revokedAt: { type: Date },
  },
  { ...SCHEMA_OPTIONS, collection: 'api_keys' },
);

// apiKeys.findByHash: {hash, revokedAt: null} (revocation is checked on the one document found).
// Unique: the same key can never be stored twice, even by two processes at once.
// apiKeys.list ({_id: {$gt: cursor}} sorted by _id) and revoke ({_id}) use the default _id index.
apiKeySchema.index({ hash: 1 }, { unique: true });

export type ApiKeyModel = Model<ApiKeyDoc>;

export function apiKeyModel(connection: Connection): ApiKeyModel {
  return connection.model<ApiKeyDoc>('ApiKey', apiKeySchema);
}
