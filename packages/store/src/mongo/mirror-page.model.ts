import { Schema, type Connection, type Model } from 'mongoose';
import type { MirrorPage } from '../ports';
import { SCHEMA_OPTIONS } from './schema-options';

/** A mirror page as stored: its expiry a BSON date, which the TTL index needs. */
export interface MirrorPageDoc extends Omit<MirrorPage, 'expiresAt'> {
  expiresAt: Date;
}

export const mirrorPageSchema = new Schema<MirrorPageDoc>(
  {
    sandbox: { type: String, required: true },
    deliveryId: { type: String, required: true },
    // Not `required`: mongoose would refuse an empty subject or body, which a template may render.
    subject: { type: String },
    html: { type: String },
    expiresAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'mirror_pages' },
);

// mirrorPages.put (upsert) and get: {sandbox, deliveryId}; unique, one page per delivery.
mirrorPageSchema.index({ sandbox: 1, deliveryId: 1 }, { unique: true });
// No query: the TTL monitor removes each page once its own expiresAt has passed. `get` checks the
// expiry too, since the monitor runs only once a minute.
mirrorPageSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export type MirrorPageModel = Model<MirrorPageDoc>;

export function mirrorPageModel(connection: Connection): MirrorPageModel {
  return connection.model<MirrorPageDoc>('MirrorPage', mirrorPageSchema);
}
