import type { CampaignDefinition, Profile, Recipient } from '@herald/contracts';
import type { Store } from '@herald/store';
import type { ProfileCreator } from './profile-creator';

export type ProfileResolution =
  { kind: 'resolved'; profile: Profile | null; created: boolean } | { kind: 'not-found' };

/**
 * `aep` recipients are looked up by (namespace, userId), and created when the campaign allows
 * it; `external` recipients are addressed directly and have no stored profile.
 */
export async function resolveProfile(
  store: Store,
  creator: ProfileCreator,
  sandbox: string,
  recipient: Recipient,
  campaign: CampaignDefinition,
): Promise<ProfileResolution> {
  if (recipient.type === 'external') return { kind: 'resolved', profile: null, created: false };
  const identity = { namespace: recipient.namespace, id: recipient.userId };
  if (campaign.createProfiles) {
    const { profile, created } = await creator.findOrCreate(sandbox, identity);
    return { kind: 'resolved', profile, created };
  }
  const profile = await store.profiles.findByIdentity(sandbox, identity);
  return profile ? { kind: 'resolved', profile, created: false } : { kind: 'not-found' };
}
