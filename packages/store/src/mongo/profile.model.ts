import { Schema, type Connection, type Model } from 'mongoose';
import {
  MOBILE_PUSH_PLATFORMS,
  type Consents,
  type Identity,
  type PushSubscription,
  type PushToken,
} from '@herald/contracts';
import { identitySchema } from './identity.schema';
import { SCHEMA_OPTIONS, SUBDOCUMENT_OPTIONS } from './schema-options';

export interface ProfileDoc {
  /** The profile id (a UUIDv7 made by the store), so ids sort in creation order. */
  _id: string;
  sandbox: string;
  identities: Identity[];
  attributes: Record<string, unknown>;
  preferredLanguage?: string;
  timezone?: string;
  consents: Consents;
  pushSubscriptions: PushSubscription[];
  /** Absent on documents written before device tokens existed: read as none. */
  pushTokens?: PushToken[];
  createdAt: Date;
  updatedAt: Date;
}

const pushSubscriptionSchema = new Schema<PushSubscription>(
  {
    endpoint: { type: String, required: true },
    keys: {
      p256dh: { type: String, required: true },
      auth: { type: String, required: true },
    },
    appId: { type: String },
  },
  SUBDOCUMENT_OPTIONS,
);

const pushTokenSchema = new Schema<PushToken>(
  {
    appId: { type: String, required: true },
    platform: { type: String, enum: MOBILE_PUSH_PLATFORMS, required: true },
    token: { type: String, required: true },
  },
  SUBDOCUMENT_OPTIONS,
);

export const profileSchema = new Schema<ProfileDoc>(
  {
    _id: { type: String, required: true },
    sandbox: { type: String, required: true },
    identities: { type: [identitySchema], required: true },
    // Free JSON validated at the API; mixed so it round-trips untouched.
    attributes: { type: Schema.Types.Mixed, required: true },
    preferredLanguage: { type: String },
    timezone: { type: String },
    consents: { type: Schema.Types.Mixed, required: true },
    pushSubscriptions: { type: [pushSubscriptionSchema], required: true },
    pushTokens: { type: [pushTokenSchema], default: undefined },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'profiles' },
);

// profiles.findByIdentity / findOrCreateByIdentity: {sandbox, identities: {$elemMatch: {namespace, id}}};
// profiles.upsert: {sandbox, $or: [{identities: {$elemMatch: …}}, …]}. Unique across documents
// (multikey, one key per array element), so two processes can never give one identity to two
// profiles: the second insert or $addToSet fails with E11000.
profileSchema.index({ sandbox: 1, 'identities.namespace': 1, 'identities.id': 1 }, { unique: true });
// profiles.list: {sandbox, _id: {$gt: cursor}} sorted by _id (creation order).
profileSchema.index({ sandbox: 1, _id: 1 });

export type ProfileModel = Model<ProfileDoc>;

export function profileModel(connection: Connection): ProfileModel {
  return connection.model<ProfileDoc>('Profile', profileSchema);
}
