import type { Channel } from './campaign';
import type { MobilePushPlatform } from './message';

export interface Identity {
  namespace: string;
  id: string;
}

/**
 * Namespaces are case-insensitive (`Email` and `email` name one identity, as in AJO): stored and
 * compared lower-case. Ids keep their case.
 */
export function canonicalNamespace(namespace: string): string {
  return namespace.toLowerCase();
}

export function canonicalIdentity(identity: Identity): Identity {
  return { namespace: canonicalNamespace(identity.namespace), id: identity.id };
}

export type ConsentValue = 'y' | 'n';

export interface Consents {
  marketing: Partial<Record<Channel, ConsentValue>>;
}

export interface PushSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  appId?: string;
}

/** A mobile app install's device token (FCM registration token or APNs device token). */
export interface PushToken {
  /** The app: the FCM app id or the iOS bundle id; a push campaign names the app it sends for. */
  appId: string;
  platform: MobilePushPlatform;
  token: string;
}

export interface Profile {
  id: string;
  sandbox: string;
  identities: Identity[];
  attributes: Record<string, unknown>;
  preferredLanguage?: string;
  timezone?: string;
  consents: Consents;
  pushSubscriptions: PushSubscription[];
  pushTokens: PushToken[];
  createdAt: string;
  updatedAt: string;
}

/** What callers give to create or upsert a profile. */
export interface ProfileInput {
  identities: Identity[];
  attributes?: Record<string, unknown>;
  preferredLanguage?: string;
  timezone?: string;
  consents?: Consents;
  pushSubscriptions?: PushSubscription[];
  pushTokens?: PushToken[];
}
