import type { CampaignVersion } from '@herald/contracts';
import { LRUCache } from 'lru-cache';
import type { Store } from './ports';

/**
 * Campaign versions by (sandbox, id, version). Versions are immutable, so a cached one is never
 * stale; only the most recently used are kept.
 */
export class CampaignVersions {
  private readonly cache: LRUCache<string, CampaignVersion>;

  constructor(
    private readonly store: Store,
    maxEntries = 1000,
  ) {
    this.cache = new LRUCache({ max: maxEntries });
  }

  async get(sandbox: string, campaignId: string, version: number): Promise<CampaignVersion | null> {
    const key = `${sandbox}\u0000${campaignId}\u0000${version}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const loaded = await this.store.campaigns.getVersion(sandbox, campaignId, version);
    if (loaded) this.cache.set(key, loaded);
    return loaded;
  }
}
