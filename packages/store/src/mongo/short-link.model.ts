import { Schema, type Connection, type Model } from 'mongoose';
import type { ShortLink } from '../ports';
import { SCHEMA_OPTIONS } from './schema-options';

/** A short link as stored: its expiry a BSON date, which the TTL index needs. */
export interface ShortLinkDoc extends Omit<ShortLink, 'expiresAt'> {
  expiresAt: Date;
}

export const shortLinkSchema = new Schema<ShortLinkDoc>(
  {
    code: { type: String, required: true },
    sandbox: { type: String, required: true },
    token: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'short_links' },
);

// shortLinks.get and insertMany's refusal of a taken code: unique across sandboxes.
shortLinkSchema.index({ code: 1 }, { unique: true });
// No query: the TTL monitor removes each link once its own expiresAt has passed. `get` checks the
// expiry too, since the monitor runs only once a minute.
shortLinkSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export type ShortLinkModel = Model<ShortLinkDoc>;

export function shortLinkModel(connection: Connection): ShortLinkModel {
  return connection.model<ShortLinkDoc>('ShortLink', shortLinkSchema);
}
