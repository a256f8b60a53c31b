import type Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import type { CampaignVersion } from '@herald/contracts';

/**
 * Compiled context schemas, one per campaign version. A version is immutable, so its compiled
 * validator never goes stale; the map is bounded so deleted campaigns do not pile up.
 */
export class ContextValidators {
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(
    private readonly ajv: Ajv,
    private readonly maxEntries = 1000,
  ) {}

  for(version: CampaignVersion): ValidateFunction {
    const key = `${version.sandbox}\u0000${version.campaignId}\u0000${version.version}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const compiled = this.ajv.compile(version.definition.contextSchema);
    if (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(key, compiled);
    return compiled;
  }
}
