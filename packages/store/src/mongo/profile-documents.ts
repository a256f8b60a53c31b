import { canonicalIdentity, identityKey, type Identity, type Profile } from '@herald/contracts';
import { ValidationError, type FieldError } from '@herald/errors';
import { toIso } from './dates';
import { toIdentity } from './identity.schema';
import type { ProfileDoc } from './profile.model';

/** Profile documents: how they become profiles, and the checks and filters of identities. */
export function toProfile(doc: ProfileDoc): Profile {
  return {
    id: doc._id,
    sandbox: doc.sandbox,
    identities: doc.identities.map(toIdentity),
    attributes: doc.attributes ?? {},
    ...(doc.preferredLanguage != null ? { preferredLanguage: doc.preferredLanguage } : {}),
    ...(doc.timezone != null ? { timezone: doc.timezone } : {}),
    consents: doc.consents ?? { marketing: {} },
    pushSubscriptions: (doc.pushSubscriptions ?? []).map((subscription) => ({
      endpoint: subscription.endpoint,
      keys: { p256dh: subscription.keys.p256dh, auth: subscription.keys.auth },
      ...(subscription.appId != null ? { appId: subscription.appId } : {}),
    })),
    pushTokens: (doc.pushTokens ?? []).map(({ appId, platform, token }) => ({ appId, platform, token })),
    createdAt: toIso(doc.createdAt),
    updatedAt: toIso(doc.updatedAt),
  };
}

export function holding(identity: Identity): { identities: { $elemMatch: Identity } } {
  return { identities: { $elemMatch: canonicalIdentity(identity) } };
}

/** Namespaces lower-cased, as they are stored. */
export function distinctIdentities(identities: readonly Identity[]): Identity[] {
  const seen = new Map<string, Identity>();
  for (const identity of identities) {
    if (!seen.has(identityKey(identity))) seen.set(identityKey(identity), canonicalIdentity(identity));
  }
  return [...seen.values()];
}

function pointerToken(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/**
 * A profile without identities could never be found again, and every one of them would hold
 * the same (empty) key of the unique identity index.
 */
export function assertIdentities(identities: readonly Identity[]): void {
  if (identities.length > 0) return;
  throw new ValidationError('identities-required', 'A profile needs at least one identity.', [
    { path: '/identities', code: 'identities-required', message: 'Give at least one identity.' },
  ]);
}

/**
 * Top-level attribute keys become update paths (`attributes.<key>`) when profiles are merged;
 * a dot would address a nested field and a leading `$` an operator, so neither is stored.
 */
export function assertAttributeKeys(attributes: Record<string, unknown> | undefined): void {
  const errors: FieldError[] = Object.keys(attributes ?? {})
    .filter((key) => key === '' || key.includes('.') || key.startsWith('$'))
    .map((key) => ({
      path: `/attributes/${pointerToken(key)}`,
      code: 'invalid-attribute-key',
      message: 'Attribute names must be non-empty and may neither contain "." nor start with "$".',
    }));
  if (errors.length > 0) {
    throw new ValidationError('invalid-attribute-key', 'Some attribute names cannot be stored.', errors);
  }
}
