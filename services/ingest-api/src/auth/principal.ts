import type { Request } from 'express';
import type { ApiKeyRole } from '@herald/store';

/** Who is calling: the API key that authenticated the request. */
export interface Principal {
  keyId: string;
  name: string;
  roles: readonly ApiKeyRole[];
  /** Sandboxes the key may address; `*` means all. */
  sandboxes: readonly string[];
}

const PRINCIPAL = Symbol('herald.principal');

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
