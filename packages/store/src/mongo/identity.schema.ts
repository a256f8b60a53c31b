import { Schema } from 'mongoose';
import type { Identity } from '@herald/contracts';
import { SUBDOCUMENT_OPTIONS } from './schema-options';

/** `{namespace, id}` in this field order, which `$addToSet` equality on identities relies on. */
export const identitySchema = new Schema<Identity>(
  {
    namespace: { type: String, required: true },
    id: { type: String, required: true },
  },
  SUBDOCUMENT_OPTIONS,
);

/** A plain copy: mongoose subdocuments and lean results may carry extra keys. */
export function toIdentity(identity: Identity): Identity {
  return { namespace: identity.namespace, id: identity.id };
}
