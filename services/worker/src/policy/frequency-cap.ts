import type { Redis } from 'ioredis';
import type { Channel, FrequencyCap } from '@herald/contracts';

/**
 * Sliding-window cap: a sorted set of the deliveries sent to one profile on one channel, scored
 * by time. The delivery id is the member, so a retried job takes the same place instead of a
 * second one. Returns 1 when the delivery may go, 0 when the cap is reached.
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local period = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - period)
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], period)
return 1
`;

type CapCommand = (key: string, periodMs: number, max: number, member: string) => Promise<number>;

export class FrequencyCaps {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand('heraldFrequencyTake', { numberOfKeys: 1, lua: TAKE });
  }

  private key(sandbox: string, profileId: string, channel: Channel): string {
    return `${this.prefix}:fcap:{${sandbox}:${profileId}}:${channel}`;
  }

  /** Takes one place under the cap for this delivery; false when the cap is reached. */
  async take(
    sandbox: string,
    profileId: string,
    channel: Channel,
    cap: FrequencyCap,
    deliveryId: string,
  ): Promise<boolean> {
    // Custom commands defined with defineCommand are not in ioredis' static types.
    const redis = this.redis as unknown as Record<'heraldFrequencyTake', CapCommand>;
    const allowed = await redis.heraldFrequencyTake(
      this.key(sandbox, profileId, channel),
      cap.periodSeconds * 1000,
      cap.max,
      deliveryId,
    );
    return allowed === 1;
  }

  /** Gives the place back when the message was finally not sent. */
  async release(sandbox: string, profileId: string, channel: Channel, deliveryId: string): Promise<void> {
    await this.redis.zrem(this.key(sandbox, profileId, channel), deliveryId);
  }
}
