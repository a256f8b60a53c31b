import type { NextFunction, Request, RequestHandler } from 'express';
import { LRUCache } from 'lru-cache';
import type { Store } from '@herald/store';
import type { AccessTokens } from './access-tokens';
import { constantTimeEqual, hashApiKey } from './api-key-secret';
import { ForbiddenError, UnauthorizedError } from '@herald/errors';
import { setPrincipal, setRefusal, type Principal } from './principal';

/** A cached answer; boxed because the cache holds no `null` and "unknown key" is cached too. */
interface CachedAnswer {
  principal: Principal | null;
}

/** Three base64url segments: an access token, never a Herald key (those carry no dot). */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Resolves the caller of a request to a principal, from either:
 * - a Herald API key, as `Authorization: Bearer <key>` or `x-api-key: <key>`: looked up by its
 *   SHA-256, the stored hash compared in constant time;
 * - an access token from `POST /ims/token/v3` (AJO style), as `Authorization: Bearer <jwt>` with
 *   `x-api-key: <its client id>` and `x-gw-ims-org-id: <its org>`: verified, then its API
 *   credential looked up, whose roles and sandboxes apply.
 * Store answers (including "unknown" and "revoked") are cached for `cacheSeconds`, so a revoked
 * key or credential stops working within that delay and the store is not asked on every call.
 */
export class ApiKeyAuthenticator {
  /** By key hash, or by `credential:<id>:<client id>`; undefined when `cacheSeconds` is 0 (every call asks the store). */
  private readonly cache: LRUCache<string, CachedAnswer> | undefined;

  constructor(
    private readonly store: Store,
    cacheSeconds: number,
    private readonly tokens: AccessTokens,
    maxEntries = 10_000,
  ) {
    this.cache = cacheSeconds > 0 ? new LRUCache({ max: maxEntries, ttl: cacheSeconds * 1000 }) : undefined;
  }

  middleware(): RequestHandler {
    return (req, _res, next) => {
      const bearer = bearerValue(req.header('authorization'));
      if (bearer !== undefined && JWT_SHAPE.test(bearer)) {
        this.principalForToken(req, bearer)
          .then((principal) => {
            setPrincipal(req, principal);
            next();
          })
          .catch((error: unknown) => {
            if (!(error instanceof UnauthorizedError || error instanceof ForbiddenError)) {
              next(error);
              return;
            }
            setPrincipal(req, undefined);
            setRefusal(req, error);
            next();
          });
        return;
      }
      const key = bearer ?? nonEmpty(req.header('x-api-key'));
      if (key === undefined) {
        setPrincipal(req, undefined);
        next();
        return;
      }
      this.authenticate(req, key, next);
    };
  }

  /** Sets the principal of `key` on the request (none for an unknown key), then goes on. */
  authenticate(req: Request, key: string, next: NextFunction): void {
    this.principalFor(key)
      .then((principal) => {
        setPrincipal(req, principal ?? undefined);
        next();
      })
      .catch(next);
  }

  async principalFor(key: string): Promise<Principal | null> {
    const hash = hashApiKey(key);
    const cached = this.cache?.get(hash);
    if (cached) return cached.principal;
    const stored = await this.store.apiKeys.findByHash(hash);
    const matches = stored !== null && constantTimeEqual(stored.hash, hash);
    const principal: Principal | null =
      stored && matches
        ? {
            keyId: stored.id,
            name: stored.name,
            roles: stored.roles,
            sandboxes: stored.sandboxes,
            labels: stored.labels ?? [],
          }
        : null;
    this.cache?.set(hash, { principal });
    return principal;
  }

  /**
   * The principal of an access token's credential. Throws UnauthorizedError (401: invalid,
   * expired, credential revoked) or ForbiddenError (403: `x-api-key` or
   * `x-gw-ims-org-id` not the token's).
   */
  async principalForToken(req: Request, token: string): Promise<Principal> {
    if (!this.tokens.enabled) {
      throw new UnauthorizedError(
        'This API issues no access tokens (TOKEN_SIGNING_KEYS is unset).',
        'token-invalid',
      );
    }
    const claims = await this.tokens.verify(token);
    if (nonEmpty(req.header('x-api-key')) !== claims.clientId) {
      throw new ForbiddenError(
        'x-api-key must be the client id the access token was issued to.',
        'client-id-mismatch',
      );
    }
    if (nonEmpty(req.header('x-gw-ims-org-id')) !== claims.orgId) {
      throw new ForbiddenError(
        "x-gw-ims-org-id must be the organisation of the access token's credential.",
        'org-mismatch',
      );
    }
    const principal = await this.credentialPrincipal(claims.credentialId, claims.clientId);
    if (!principal) {
      throw new UnauthorizedError("The access token's API credential was revoked.", 'credential-revoked');
    }
    return principal;
  }

  /** Forgets cached answers, e.g. right after a key or credential is revoked through this process. */
  forget(hash?: string): void {
    if (hash) this.cache?.delete(hash);
    else this.cache?.clear();
  }

  private async credentialPrincipal(credentialId: string, clientId: string): Promise<Principal | null> {
    const cacheKey = `credential:${credentialId}:${clientId}`;
    const cached = this.cache?.get(cacheKey);
    if (cached) return cached.principal;
    const credential = await this.store.apiCredentials.findActive(credentialId);
    const principal: Principal | null =
      credential && credential.clientId === clientId
        ? {
            keyId: credential.id,
            name: credential.name,
            roles: credential.roles,
            sandboxes: credential.sandboxes,
            labels: credential.labels ?? [],
          }
        : null;
    this.cache?.set(cacheKey, { principal });
    return principal;
  }
}

function bearerValue(authorization: string | undefined): string | undefined {
  return authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
