import type { Channel } from '@herald/contracts';
import type { ProfileModel } from './profile.model';

/**
 * Sets a profile's marketing consent for one channel to 'n' (an unsubscribe); true when the
 * profile exists. One update, so a concurrent profile write cannot lose the withdrawal to a stale
 * read; a consent already 'n' is left alone, with its updatedAt, so a repeat changes nothing.
 */
export async function withdrawMarketingConsent(
  profiles: ProfileModel,
  sandbox: string,
  profileId: string,
  channel: Channel,
): Promise<boolean> {
  const path = `consents.marketing.${channel}`;
  const { matchedCount } = await profiles
    .updateOne(
      { _id: profileId, sandbox, [path]: { $ne: 'n' } },
      { $set: { [path]: 'n', updatedAt: new Date() } },
    )
    .exec();
  if (matchedCount === 1) return true;
  return (await profiles.exists({ _id: profileId, sandbox }).exec()) !== null;
}
