import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Channel } from '@herald/contracts';

/** A run of soft bounces older than this is forgotten: the address has had time to recover. */
const RUN_TTL_SECONDS = 30 * 24 * 3600;

/**
 * One more bounce and a fresh TTL in one command. One EVAL rather than a MULTI: on the shared
 * BullMQ connection a MULTI builds a pipeline that copies every BullMQ script.
 */
const ADD_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
return count
`;

/**
 * Soft bounces in a row per address, in Redis so that every API process counts the same run.
 * A delivered message ends the run. The key carries the sandbox in a hash tag, so a Redis
 * Cluster keeps a sandbox's runs on one slot.
 */
export class SoftBounceCounter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** Counts one more soft bounce; returns the length of the run so far. */
  async add(sandbox: string, channel: Channel, address: string): Promise<number> {
    const count = await this.redis.eval(
      ADD_SCRIPT,
      1,
      this.keyOf(sandbox, channel, address),
      String(RUN_TTL_SECONDS),
    );
    return Number(count);
  }

  /** A message reached the address: the run is over. */
  async reset(sandbox: string, channel: Channel, address: string): Promise<void> {
    await this.redis.del(this.keyOf(sandbox, channel, address));
  }

  /**
   * The address only as a hash: Redis keys show up in logs (ioredis puts a failed command's
   * arguments on its error) and in `redis-cli --scan`, and addresses must appear in neither.
   */
  private keyOf(sandbox: string, channel: Channel, address: string): string {
    const hashed = createHash('sha256').update(address).digest('base64url');
    return `${this.prefix}:softbounce:{${sandbox}}:${channel}:${hashed}`;
  }
}
