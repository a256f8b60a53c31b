import type { Profile, Recipient } from '@herald/contracts';
import { toE164 } from './phone-number';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

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
 * when it is a phone identity, then the profile (a `phone` identity, the AEP XDM
 * `mobilePhone.number`, or a plain `phone` attribute). Numbers without `+` are read in
 * `defaultRegion` (see `toE164`).
 */
export function resolveSmsNumber(
  recipient: Recipient,
  profile: Profile | null,
  defaultRegion?: string,
): string | undefined {
  const candidates: unknown[] = [
    recipient.channelData?.mobilePhoneNumber,
    userIdIsPhone(recipient) ? recipient.userId : undefined,
    ...identitiesOf(profile, 'phone'),
    nested(profile?.attributes, ['mobilePhone', 'number']),
    nested(profile?.attributes, ['phone']),
  ];
  for (const candidate of candidates) {
    const number = typeof candidate === 'string' ? toE164(candidate, defaultRegion) : undefined;
    if (number) return number;
  }
  return undefined;
}

/** A recipient addressed by phone number: namespace `phone`, or an id written with a leading `+`. */
export function userIdIsPhone(recipient: Recipient): boolean {
  return recipient.namespace.toLowerCase() === 'phone' || recipient.userId.startsWith('+');
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
