import type { CampaignDefinition, Identity, Profile, Recipient } from '@herald/contracts';
import { canonicalNamespace, identityKey } from '@herald/contracts';
import type { Audience, Store } from '@herald/store';

export interface MemberPage {
  recipients: Recipient[];
  /** Cursor of the next page; null after the last one. */
  nextCursor: string | null;
}

/** Reads one page of an audience's members at a time, always in the same order. */
export type AudienceMembers = (cursor: string | undefined) => Promise<MemberPage>;

/**
 * The members of an audience as `aep` recipients: a query audience's matching profiles in id
 * order, or a static audience's distinct identities in the order they were listed (the worker
 * resolves each identity to its profile, and excludes the ones no profile holds).
 */
export function audienceMembers(
  store: Store,
  audience: Audience,
  definition: CampaignDefinition,
  pageSize: number,
): AudienceMembers {
  if (audience.kind === 'static') return staticMembers(audience.identities ?? [], pageSize);
  const query = audience.query ?? {};
  return async (cursor) => {
    const page = await store.profiles.match(audience.sandbox, query, {
      limit: pageSize,
      ...(cursor === undefined ? {} : { cursor }),
    });
    return {
      recipients: page.items.flatMap((profile) => {
        const identity = addressingIdentity(profile, definition.identityNamespace);
        return identity ? [aepRecipient(identity)] : [];
      }),
      nextCursor: page.nextCursor,
    };
  };
}

function staticMembers(identities: readonly Identity[], pageSize: number): AudienceMembers {
  const distinct = [...new Map(identities.map((identity) => [identityKey(identity), identity])).values()];
  return async (cursor) => {
    const offset = cursor === undefined ? 0 : Number(cursor);
    const end = offset + pageSize;
    return {
      recipients: distinct.slice(offset, end).map(aepRecipient),
      nextCursor: end < distinct.length ? String(end) : null,
    };
  };
}

/** The identity of the campaign's namespace, else the profile's first: the worker finds the profile by either. */
function addressingIdentity(profile: Profile, namespace: string): Identity | undefined {
  return (
    profile.identities.find((identity) => identity.namespace === canonicalNamespace(namespace)) ??
    profile.identities[0]
  );
}

function aepRecipient(identity: Identity): Recipient {
  return { type: 'aep', userId: identity.id, namespace: identity.namespace };
}
