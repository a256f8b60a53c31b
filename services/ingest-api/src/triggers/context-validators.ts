import type Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import { LRUCache } from 'lru-cache';
import type { CampaignVersion } from '@herald/contracts';
import { UnprocessableError } from '@herald/errors';

/**
 * Compiled context schemas, one per campaign version. A version is immutable, so its compiled
 * validator never goes stale; only the most recently used are kept, so deleted campaigns do not
 * pile up. Each schema is compiled by its own Ajv: Ajv registers every `$id` it compiles for good,
 * so one shared instance would let one campaign's `$id` break another's and would never free
 * evicted schemas.
 */
export class ContextValidators {
  private readonly cache: LRUCache<string, ValidateFunction>;

  constructor(
    private readonly newAjv: () => Ajv,
    maxEntries = 1000,
  ) {
    this.cache = new LRUCache({ max: maxEntries });
  }

  for(version: CampaignVersion): ValidateFunction {
    const key = `${version.sandbox}\u0000${version.campaignId}\u0000${version.version}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    let compiled: ValidateFunction;
    try {
      compiled = this.newAjv().compile(version.definition.contextSchema);
    } catch (error) {
      throw new UnprocessableError(
        'invalid-context-schema',
        `campaign ${version.campaignId} version ${version.version} has a context schema that cannot be compiled: ${(error as Error).message}`,
      );
    }
    this.cache.set(key, compiled);
    return compiled;
  }
}
