import type { CampaignVersion } from '@herald/contracts';
import type { Store } from './ports';

/**
 * Campaign versions by (sandbox, id, version). Versions are immutable, so a cached one is never
 * stale; the cache is bounded.
 */
export class CampaignVersions {
  private readonly cache = new Map<string, CampaignVersion>();

  constructor(
    private readonly store: Store,
    private readonly maxEntries = 1000,
  ) {}

  async get(sandbox: string, campaignId: string, version: number): Promise<CampaignVersion | null> {
    const key = `${sandbox}\u0000${campaignId}\u0000${version}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const loaded = await this.store.campaigns.getVersion(sandbox, campaignId, version);
    if (loaded) {
      if (this.cache.size >= this.maxEntries) {
        const oldest = this.cache.keys().next();
        if (!oldest.done) this.cache.delete(oldest.value);
      }
      this.cache.set(key, loaded);
    }
    return loaded;
  }
}
