import { LRUCache } from 'lru-cache';
import type { SandboxSettingsRepository } from '@herald/store';

/**
 * Seconds another API process may keep answering by a sandbox's previous `idempotency` setting:
 * every trigger call asks, so the store is read once per sandbox and period instead.
 */
const CACHE_TTL_MS = 10_000;
const CACHE_MAX_SANDBOXES = 10_000;

/** The sandboxes' `idempotency` settings, as trigger calls read them: cached, default on. */
export class IdempotencyPolicy {
  private readonly cache: LRUCache<string, { bodyRequestId: boolean }>;

  constructor(settings: Pick<SandboxSettingsRepository, 'get'>) {
    this.cache = new LRUCache({
      max: CACHE_MAX_SANDBOXES,
      ttl: CACHE_TTL_MS,
      fetchMethod: async (sandbox) => ({
        bodyRequestId: (await settings.get(sandbox))?.idempotency?.bodyRequestId ?? true,
      }),
    });
  }

  /** Whether the body's `requestId` is an idempotency key in the sandbox (default true). */
  async bodyRequestIdEnabled(sandbox: string): Promise<boolean> {
    const policy = await this.cache.fetch(sandbox);
    return policy?.bodyRequestId ?? true;
  }

  /** This process reads a changed setting at once; others within CACHE_TTL_MS. */
  forget(sandbox: string): void {
    this.cache.delete(sandbox);
  }
}
