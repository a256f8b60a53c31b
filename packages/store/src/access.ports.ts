import type { Page, PageRequest } from './paging.ports';

/** The access ports, part of `ports.ts` (re-exported from there): API keys and API credentials. */

export type ApiKeyRole = 'execute' | 'manage' | 'admin';

export interface ApiKey {
  id: string;
  name: string;
  /** SHA-256 of the key, hex; the key itself is never stored. */
  hash: string;
  sandboxes: string[];
  roles: ApiKeyRole[];
  /** Campaign access labels the key holds (`*`: every label); absent when none were given. */
  labels?: string[];
  createdAt: string;
  revokedAt?: string;
}

export interface ApiKeyRepository {
  /** Throws ConflictError `api-key-exists` when the hash is already stored. */
  create(input: Omit<ApiKey, 'id' | 'createdAt' | 'revokedAt'> & { id?: string }): Promise<ApiKey>;
  /** Revoked keys are not returned. */
  findByHash(hash: string): Promise<ApiKey | null>;
  list(page?: PageRequest): Promise<Page<ApiKey>>;
  revoke(id: string): Promise<boolean>;
}

/**
 * An OAuth client-credentials pair (AJO-style: the client id goes in `x-api-key`, the token it
 * obtains in `Authorization`), with the roles and sandboxes its tokens carry.
 */
export interface ApiCredential {
  id: string;
  name: string;
  /** Public, unique: the OAuth `client_id`. */
  clientId: string;
  /** SHA-256 of the client secret, hex; the secret itself is never stored. */
  secretHash: string;
  /** The organisation its tokens name, which callers send as `x-gw-ims-org-id`. */
  orgId: string;
  roles: ApiKeyRole[];
  /** Sandboxes its tokens may address; `*` means all. */
  sandboxes: string[];
  /** Campaign access labels its tokens hold, as for an API key. */
  labels?: string[];
  createdAt: string;
  revokedAt?: string;
}

export type NewApiCredential = Omit<ApiCredential, 'id' | 'createdAt' | 'revokedAt'> & { id?: string };

export interface ApiCredentialRepository {
  /** Throws ConflictError `api-credential-exists` when the id or the client id is already stored. */
  create(input: NewApiCredential): Promise<ApiCredential>;
  /** The active credential with this client id; revoked ones are not returned. */
  findByClientId(clientId: string): Promise<ApiCredential | null>;
  /** The active credential with this id; revoked ones are not returned. */
  findActive(id: string): Promise<ApiCredential | null>;
  /** Every credential, revoked ones included, in id order. */
  list(page?: PageRequest): Promise<Page<ApiCredential>>;
  /** True when this call revoked it; false when it does not exist or was revoked already. */
  revoke(id: string): Promise<boolean>;
}
