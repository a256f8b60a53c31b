import type { Request } from 'express';
import type { HeraldError } from '@herald/errors';
import type { ApiKeyRole } from '@herald/store';

/** Who is calling: the API key, or the API credential of the access token, that authenticated the request. */
export interface Principal {
  /** The API key's id, or the API credential's id for an access token. */
  keyId: string;
  name: string;
  roles: readonly ApiKeyRole[];
  /** Sandboxes the key may address; `*` means all. */
  sandboxes: readonly string[];
  /** Campaign access labels the key holds; `*` means all (see campaign-access.ts). */
  labels: readonly string[];
}

const PRINCIPAL = Symbol('herald.principal');
const REFUSAL = Symbol('herald.authentication-refusal');

export function setPrincipal(req: Request, principal: Principal | undefined): void {
  (req as Request & { [PRINCIPAL]?: Principal })[PRINCIPAL] = principal;
}

export function principalOf(req: Request): Principal | undefined {
  return (req as Request & { [PRINCIPAL]?: Principal })[PRINCIPAL];
}

/** The caller an execution is attributed to: its API key id (requireRole guarantees a key). */
export function callerOf(req: Request): string {
  return principalOf(req)?.keyId ?? 'unknown';
}

/**
 * Why the credentials the request presented were refused, when the caller can be told (an
 * expired or mismatched access token); the role guard answers with it instead of `unauthorized`.
 */
export function setRefusal(req: Request, refusal: HeraldError): void {
  (req as Request & { [REFUSAL]?: HeraldError })[REFUSAL] = refusal;
}

export function refusalOf(req: Request): HeraldError | undefined {
  return (req as Request & { [REFUSAL]?: HeraldError })[REFUSAL];
}
