import type { Channel } from './campaign';

export interface Identity {
  namespace: string;
  id: string;
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

export interface Profile {
  id: string;
  sandbox: string;
  identities: Identity[];
  attributes: Record<string, unknown>;
  preferredLanguage?: string;
  timezone?: string;
  consents: Consents;
  pushSubscriptions: PushSubscription[];
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
}
