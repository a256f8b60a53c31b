import type { Channel, Profile } from '@herald/contracts';

/**
 * Marketing is opt-in: a profile may receive marketing on a channel only when it holds an explicit
 * `y` for that channel. Absent consent is no consent (a profile created by a trigger has none).
 */
export function hasMarketingConsent(profile: Profile | null, channel: Channel): boolean {
  return profile?.consents.marketing[channel] === 'y';
}
