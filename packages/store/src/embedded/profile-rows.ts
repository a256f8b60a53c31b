import type { Consents, Identity, Profile, PushSubscription, PushToken } from '@herald/contracts';
import { canonicalIdentity, identityKey } from '@herald/contracts';
import { ConflictError } from '@herald/errors';
import { fromJson, setIfPresent } from './columns';

/** Profile rows and identity inputs of the embedded store, and how they become profiles. */
export interface ProfileRow {
  sandbox: string;
  id: string;
  identities: string;
  attributes: string;
  preferred_language: string | null;
  timezone: string | null;
  consents: string;
  push_subscriptions: string;
  push_tokens: string;
  created_at: string;
  updated_at: string;
}

export interface ProfileColumns {
  sandbox: string;
  id: string;
  attributes: string;
  preferredLanguage: string | null;
  timezone: string | null;
  consents: string;
  pushSubscriptions: string;
  pushTokens: string;
  at: string;
}

/** An identity of the caller's input, with its index there (for error paths). */
export interface GivenIdentity {
  index: number;
  identity: Identity;
}

export interface KnownIdentity extends GivenIdentity {
  profileId: string;
}

// Identities live in their own table (for the unique key) and are folded back into the row here.
export const SELECT_PROFILE = `
  SELECT p.*,
    (SELECT json_group_array(json_object('namespace', i.namespace, 'id', i.identity_id) ORDER BY i.position)
       FROM profile_identities i WHERE i.sandbox = p.sandbox AND i.profile_id = p.id) AS identities
  FROM profiles p`;

export function toProfile(row: ProfileRow): Profile {
  const profile: Profile = {
    id: row.id,
    sandbox: row.sandbox,
    identities: fromJson<Identity[]>(row.identities),
    attributes: fromJson<Record<string, unknown>>(row.attributes),
    consents: fromJson<Consents>(row.consents),
    pushSubscriptions: fromJson<PushSubscription[]>(row.push_subscriptions),
    pushTokens: fromJson<PushToken[]>(row.push_tokens),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  setIfPresent(profile, 'preferredLanguage', row.preferred_language);
  setIfPresent(profile, 'timezone', row.timezone);
  return profile;
}

/**
 * Drops repeats of an identity within one input, keeping the index of its first occurrence;
 * namespaces lower-cased, as they are stored.
 */
export function distinct(identities: readonly Identity[]): GivenIdentity[] {
  const seen = new Set<string>();
  const result: GivenIdentity[] = [];
  identities.forEach((identity, index) => {
    const key = identityKey(identity);
    if (seen.has(key)) return;
    seen.add(key);
    result.push({ index, identity: canonicalIdentity(identity) });
  });
  return result;
}

export function identityConflict(message: string, known: readonly KnownIdentity[]): ConflictError {
  return new ConflictError(
    'identity-conflict',
    message,
    known.map(({ index, identity }) => ({
      path: `/identities/${index}`,
      code: 'identity-conflict',
      message: `Identity ${identityKey(identity)} already belongs to a profile.`,
    })),
  );
}
