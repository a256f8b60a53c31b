import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler } from 'express';
import { LRUCache } from 'lru-cache';
import type { Store } from '@herald/store';
import { hashApiKey } from './api-key-secret';
import { setPrincipal, type Principal } from './principal';

/** A cached answer; boxed because the cache holds no `null` and "unknown key" is cached too. */
interface CachedAnswer {
  principal: Principal | null;
}

/**
 * Resolves `Authorization: Bearer <key>` (or `x-api-key`) to a principal. Keys are looked up by
 * their SHA-256 and the stored hash is compared in constant time. Answers (including "unknown")
 * are cached for `cacheSeconds`, so a revoked key stops working within that delay and the store
 * is not asked on every trigger call.
 */
export class ApiKeyAuthenticator {
  /** By key hash; undefined when `cacheSeconds` is 0 (every call asks the store). */
  private readonly cache: LRUCache<string, CachedAnswer> | undefined;

  constructor(
    private readonly store: Store,
    cacheSeconds: number,
    maxEntries = 10_000,
  ) {
    this.cache = cacheSeconds > 0 ? new LRUCache({ max: maxEntries, ttl: cacheSeconds * 1000 }) : undefined;
  }

  middleware(): RequestHandler {
    return (req, _res, next) => {
      const key = presentedKey(req.header('authorization'), req.header('x-api-key'));
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
        ? { keyId: stored.id, name: stored.name, roles: stored.roles, sandboxes: stored.sandboxes }
        : null;
    this.cache?.set(hash, { principal });
    return principal;
  }

  /** Forgets cached answers, e.g. right after a key is revoked through this process. */
  forget(hash?: string): void {
    if (hash) this.cache?.delete(hash);
    else this.cache?.clear();
  }
}

function presentedKey(
  authorization: string | undefined,
  apiKeyHeader: string | undefined,
): string | undefined {
  const bearer = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
  const key = bearer ?? apiKeyHeader?.trim();
  return key ? key : undefined;
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
