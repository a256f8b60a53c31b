import type { PushToken } from '@herald/contracts';
import type { Db } from './database';
import { now } from './time';

/**
 * Removes a push subscription from a profile by endpoint; true when one was removed. One
 * statement, so a concurrent profile write cannot bring the removed subscription back; the EXISTS
 * guard leaves a profile without that endpoint (and its updated_at) untouched.
 */
export function pushSubscriptionRemover(
  db: Db,
): (sandbox: string, profileId: string, endpoint: string) => boolean {
  const remove = db.prepare<{ sandbox: string; id: string; endpoint: string; at: string }>(
    `UPDATE profiles
     SET push_subscriptions = (
           SELECT json_group_array(json(s.value) ORDER BY s.key) FROM json_each(push_subscriptions) s
           WHERE json_extract(s.value, '$.endpoint') IS NOT @endpoint),
         updated_at = @at
     WHERE sandbox = @sandbox AND id = @id
       AND EXISTS (SELECT 1 FROM json_each(push_subscriptions) s WHERE json_extract(s.value, '$.endpoint') = @endpoint)`,
  );
  return (sandbox, profileId, endpoint) =>
    remove.run({ sandbox, id: profileId, endpoint, at: now() }).changes > 0;
}

/**
 * Removes a device token (same app, platform and token) from a profile; true when one was removed.
 * One statement, guarded like the subscription remover above.
 */
export function pushTokenRemover(db: Db): (sandbox: string, profileId: string, token: PushToken) => boolean {
  // APNs tokens are hex: one stored before tokens were lower-cased still matches in any case.
  const matches = `(json_extract(t.value, '$.token') = @token
         OR (@platform <> 'fcm' AND lower(json_extract(t.value, '$.token')) = lower(@token)))
       AND json_extract(t.value, '$.appId') = @appId AND json_extract(t.value, '$.platform') = @platform`;
  const remove = db.prepare<{
    sandbox: string;
    id: string;
    appId: string;
    platform: string;
    token: string;
    at: string;
  }>(
    `UPDATE profiles
     SET push_tokens = (
           SELECT json_group_array(json(t.value) ORDER BY t.key) FROM json_each(push_tokens) t
           WHERE NOT (${matches})),
         updated_at = @at
     WHERE sandbox = @sandbox AND id = @id
       AND EXISTS (SELECT 1 FROM json_each(push_tokens) t WHERE ${matches})`,
  );
  return (sandbox, profileId, { appId, platform, token }) =>
    remove.run({ sandbox, id: profileId, appId, platform, token, at: now() }).changes > 0;
}
