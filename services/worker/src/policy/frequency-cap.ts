import type { Redis } from 'ioredis';
import type { Channel, FrequencyCap } from '@herald/contracts';
import { RedisKeys, scriptsOf, type RedisScripts } from '@herald/queues';

/** Per-profile frequency caps, shared by every worker: sliding windows in Redis (`heraldFrequencyTake`). */
export class FrequencyCaps {
  private readonly scripts: RedisScripts;
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.scripts = scriptsOf(redis);
    this.keys = new RedisKeys(prefix);
  }

  /** Takes one place under the cap for this delivery; false when the cap is reached. */
  async take(
    sandbox: string,
    profileId: string,
    channel: Channel,
    cap: FrequencyCap,
    deliveryId: string,
  ): Promise<boolean> {
    const allowed = await this.scripts.heraldFrequencyTake(
      this.keys.frequencyCap(sandbox, profileId, channel),
      cap.periodSeconds * 1000,
      cap.max,
      deliveryId,
    );
    return allowed === 1;
  }

  /** Gives the place back when the message was finally not sent. */
  async release(sandbox: string, profileId: string, channel: Channel, deliveryId: string): Promise<void> {
    await this.redis.zrem(this.keys.frequencyCap(sandbox, profileId, channel), deliveryId);
  }
}
