import type { Redis } from 'ioredis';
import type { Channel } from '@herald/contracts';
import { RedisKeys, scriptsOf, type RedisScripts } from '@herald/queues';

/** A run of soft bounces older than this is forgotten: the address has had time to recover. */
const RUN_TTL_SECONDS = 30 * 24 * 3600;

/**
 * Soft bounces in a row per address, in Redis so that every API process counts the same run.
 * A delivered message ends the run. The key (`RedisKeys.softBounces`) names the address only by
 * its hash.
 */
export class SoftBounceCounter {
  private readonly scripts: RedisScripts;
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.scripts = scriptsOf(redis);
    this.keys = new RedisKeys(prefix);
  }

  /** Counts one more soft bounce; returns the length of the run so far. */
  async add(sandbox: string, channel: Channel, address: string): Promise<number> {
    return this.scripts.heraldSoftBounceAdd(
      this.keys.softBounces(sandbox, channel, address),
      RUN_TTL_SECONDS,
    );
  }

  /** A message reached the address: the run is over. */
  async reset(sandbox: string, channel: Channel, address: string): Promise<void> {
    await this.redis.del(this.keys.softBounces(sandbox, channel, address));
  }
}
