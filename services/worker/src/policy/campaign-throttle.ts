import type { Redis } from 'ioredis';
import { RedisKeys, scriptsOf, type RedisScripts } from '@herald/queues';

export interface ThrottleReservation {
  /** Epoch ms at which the message may be sent (the first free slot, reserved or not). */
  slotAt: number;
  /** Redis clock when the reservation was made. */
  now: number;
  /**
   * False when the first free slot is past the deadline: nothing was reserved, so a message that
   * will never be sent does not push the campaign's later messages back.
   */
  reserved: boolean;
}

/** A campaign's send rate, shared by every worker: slots reserved in Redis (`heraldThrottleReserve`). */
export class CampaignThrottle {
  private readonly scripts: RedisScripts;
  private readonly keys: RedisKeys;

  constructor(redis: Redis, prefix: string) {
    this.scripts = scriptsOf(redis);
    this.keys = new RedisKeys(prefix);
  }

  /** Reserves the campaign's next slot if it falls before `deadline` (epoch ms). */
  async reserve(
    sandbox: string,
    campaignId: string,
    perSecond: number,
    deadline: number,
  ): Promise<ThrottleReservation> {
    const reply = await this.scripts.heraldThrottleReserve(
      this.keys.throttle(sandbox, campaignId),
      1000 / perSecond,
      deadline,
    );
    return { slotAt: Number(reply[0]), now: Number(reply[1]), reserved: reply[2] === '1' };
  }
}
