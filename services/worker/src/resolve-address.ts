import type { Profile, Recipient } from '@herald/contracts';

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
    ...(profile?.identities
      .filter((identity) => identity.namespace.toLowerCase() === 'email')
      .map((i) => i.id) ?? []),
    nested(profile?.attributes, ['personalEmail', 'address']),
    nested(profile?.attributes, ['email']),
  ];
  const found = candidates.find((value): value is string => typeof value === 'string' && EMAIL.test(value));
  return found;
}

function nested(value: unknown, path: readonly string[]): unknown {
  let node = value;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !Object.prototype.hasOwnProperty.call(node, key)) {
      return undefined;
    }
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
