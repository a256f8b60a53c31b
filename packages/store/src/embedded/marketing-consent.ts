import type { Channel } from '@herald/contracts';
import type { Db } from './database';
import { now } from './time';

/**
 * Sets a profile's marketing consent for one channel to 'n' (an unsubscribe); true when the
 * profile exists. One statement, so a concurrent profile write cannot lose the withdrawal to a
 * stale read; a consent already 'n' is left alone, with its updated_at, so a repeat changes nothing.
 */
export function marketingConsentWithdrawer(
  db: Db,
): (sandbox: string, profileId: string, channel: Channel) => boolean {
  const withdraw = db.prepare<{ sandbox: string; id: string; consent: string; at: string }>(
    `UPDATE profiles SET consents = json_set(consents, @consent, 'n'), updated_at = @at
     WHERE sandbox = @sandbox AND id = @id AND coalesce(json_extract(consents, @consent), '') <> 'n'`,
  );
  const exists = db
    .prepare<[string, string], number>(`SELECT 1 FROM profiles WHERE sandbox = ? AND id = ?`)
    .pluck();
  return (sandbox, id, channel) => {
    const withdrawn = withdraw.run({
      sandbox,
      id,
      consent: `$.marketing."${channel}"`,
      at: now(),
    });
    return withdrawn.changes > 0 || exists.get(sandbox, id) !== undefined;
  };
}
