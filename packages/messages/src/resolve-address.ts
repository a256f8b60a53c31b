import type { Profile, PushTarget, Recipient } from '@herald/contracts';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164 = /^\+[1-9][0-9]{6,14}$/;
/** Separators people write inside phone numbers. */
const PHONE_PUNCTUATION = /[\s().-]/g;

/**
 * The e-mail address to send to: the call's `channelData` override first, then the recipient's
 * own id when it is an e-mail identity, then the profile (an e-mail identity, or the AEP XDM
 * `personalEmail.address` / a plain `email` attribute).
 */
export function resolveEmailAddress(recipient: Recipient, profile: Profile | null): string | undefined {
  const candidates: unknown[] = [
    recipient.channelData?.emailAddress,
    recipient.userId,
    ...identitiesOf(profile, 'email'),
    nested(profile?.attributes, ['personalEmail', 'address']),
    nested(profile?.attributes, ['email']),
  ];
  return candidates.find((value): value is string => typeof value === 'string' && EMAIL.test(value));
}

/**
 * The E.164 number to send an SMS to: `channelData.mobilePhoneNumber`, then the recipient's id
 * when it is a phone identity (namespace `phone`, or written with a leading `+`), then the
 * profile (a `phone` identity, the AEP XDM `mobilePhone.number`, or a plain `phone` attribute).
 */
export function resolveSmsNumber(recipient: Recipient, profile: Profile | null): string | undefined {
  const userIdIsPhone = recipient.namespace.toLowerCase() === 'phone' || recipient.userId.startsWith('+');
  const candidates: unknown[] = [
    recipient.channelData?.mobilePhoneNumber,
    userIdIsPhone ? recipient.userId : undefined,
    ...identitiesOf(profile, 'phone'),
    nested(profile?.attributes, ['mobilePhone', 'number']),
    nested(profile?.attributes, ['phone']),
  ];
  for (const candidate of candidates) {
    const number = typeof candidate === 'string' ? toE164(candidate) : undefined;
    if (number) return number;
  }
  return undefined;
}

/**
 * A phone number in E.164 (`+` and 7 to 15 digits), or undefined. Spaces, dots, dashes and
 * parentheses are dropped and a `00` international prefix becomes `+`. Digits without a prefix
 * are taken as already including the country code (AJO callers send `33612345678`); a number
 * in national form (leading `0`) cannot be completed without knowing the country, so it is refused.
 */
export function toE164(value: string): string | undefined {
  const compact = value.replace(PHONE_PUNCTUATION, '');
  const international = compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
  const prefixed = international.startsWith('+') ? international : `+${international}`;
  return E164.test(prefixed) ? prefixed : undefined;
}

/**
 * Web Push subscriptions to send to: the one given in the call's `channelData.pushInfo` (Herald
 * reads it as a browser `PushSubscription`: `{endpoint, keys: {p256dh, auth}}`), else every
 * subscription of the profile, only those registered for `appId` when the campaign names one.
 */
export function resolvePushTargets(
  recipient: Recipient,
  profile: Profile | null,
  appId: string | undefined,
): PushTarget[] {
  const given = pushTargetOf(recipient.channelData?.pushInfo);
  if (given) return [given];
  return (profile?.pushSubscriptions ?? [])
    .filter((subscription) => appId === undefined || subscription.appId === appId)
    .map(({ endpoint, keys }) => ({ endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } }));
}

/** `pushInfo` as a subscription when it has that shape (its values are checked at the ingest). */
export function pushTargetOf(pushInfo: unknown): PushTarget | undefined {
  if (!isRecord(pushInfo) || typeof pushInfo.endpoint !== 'string' || !isRecord(pushInfo.keys)) {
    return undefined;
  }
  const { p256dh, auth } = pushInfo.keys;
  if (typeof p256dh !== 'string' || typeof auth !== 'string') return undefined;
  return { endpoint: pushInfo.endpoint, keys: { p256dh, auth } };
}

function identitiesOf(profile: Profile | null, namespace: string): string[] {
  return (profile?.identities ?? [])
    .filter((identity) => identity.namespace.toLowerCase() === namespace)
    .map((identity) => identity.id);
}

function nested(value: unknown, path: readonly string[]): unknown {
  let node = value;
  for (const key of path) {
    if (!isRecord(node) || !Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
