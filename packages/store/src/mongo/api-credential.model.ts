import { Schema, type Connection, type Model } from 'mongoose';
import type { ApiKeyRole } from '../ports';
import { SCHEMA_OPTIONS } from './schema-options';

/** OAuth client credentials belong to no sandbox, like API keys. */
export interface ApiCredentialDoc {
  /** The credential's id (UUIDv7 unless given), so ids sort in creation order. */
  _id: string;
  name: string;
  clientId: string;
  /** SHA-256 of the client secret, hex. */
  secretHash: string;
  orgId: string;
  sandboxes: string[];
  roles: ApiKeyRole[];
  /** Campaign access labels; absent when none were given. */
  labels?: string[];
  createdAt: Date;
  revokedAt?: Date;
}

export const apiCredentialSchema = new Schema<ApiCredentialDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    clientId: { type: String, required: true },
    secretHash: { type: String, required: true },
    orgId: { type: String, required: true },
    sandboxes: { type: [String], required: true },
    roles: { type: [{ type: String, enum: ['execute', 'manage', 'admin'] }], required: true },
    // No default: mongoose would store `[]` for keys given none, and read back a field they never had.
    labels: { type: [String], default: undefined },
    createdAt: { type: Date, required: true },
    revokedAt: { type: Date },
  },
  { ...SCHEMA_OPTIONS, collection: 'api_credentials' },
);

// apiCredentials.findByClientId: {clientId, revokedAt: null}. Unique: one client id, one credential,
// even when two processes create credentials at once.
// findActive ({_id, revokedAt: null}), list and revoke use the default _id index.
apiCredentialSchema.index({ clientId: 1 }, { unique: true });

export type ApiCredentialModel = Model<ApiCredentialDoc>;

export function apiCredentialModel(connection: Connection): ApiCredentialModel {
  return connection.model<ApiCredentialDoc>('ApiCredential', apiCredentialSchema);
}
