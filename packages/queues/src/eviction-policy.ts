import type { Redis } from 'ioredis';

export interface EvictionPolicyCheck {
  policy: string;
  /** True when Redis never evicts keys, which queued jobs need. */
  safe: boolean;
}

/**
 * Reads `maxmemory-policy`. Any policy other than `noeviction` lets Redis silently delete
 * queued jobs under memory pressure. Managed Redis services often forbid CONFIG, so a refusal
 * is reported as policy `unknown`.
 */
export async function checkEvictionPolicy(redis: Redis): Promise<EvictionPolicyCheck> {
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as unknown;
    const policy = Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : 'unknown';
    return { policy, safe: policy === 'noeviction' };
  } catch {
    return { policy: 'unknown', safe: false };
  }
}
