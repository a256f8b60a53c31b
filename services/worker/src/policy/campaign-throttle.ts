import type { Redis } from 'ioredis';

/**
 * GCRA reservation: each call reserves the next free slot of the campaign (one slot every
 * 1000/perSecond ms) and returns it, so workers that all ask at once are handed successive slots
 * instead of racing for the same second. Redis TIME is the clock, so workers on other machines
 * agree. The key lives only as long as the reservations it holds.
 */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, tat)
if slot > tonumber(ARGV[2]) then
  return { string.format('%.3f', slot), tostring(now), '0' }
end
local nextTat = slot + interval
redis.call('SET', KEYS[1], string.format('%.3f', nextTat), 'PX', math.ceil(nextTat - now) + 1000)
return { string.format('%.3f', slot), tostring(now), '1' }
`;

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

export class CampaignThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand('heraldThrottleReserve', { numberOfKeys: 1, lua: RESERVE });
  }

  /** Reserves the campaign's next slot if it falls before `deadline` (epoch ms). */
  async reserve(
    sandbox: string,
    campaignId: string,
    perSecond: number,
    deadline: number,
  ): Promise<ThrottleReservation> {
    const key = `${this.prefix}:throttle:{${sandbox}:${campaignId}}`;
    // Custom commands defined with defineCommand are not in ioredis' static types.
    const redis = this.redis as unknown as Record<
      'heraldThrottleReserve',
      (key: string, interval: number, deadline: number) => Promise<[string, string, string]>
    >;
    const reply = await redis.heraldThrottleReserve(key, 1000 / perSecond, deadline);
    return { slotAt: Number(reply[0]), now: Number(reply[1]), reserved: reply[2] === '1' };
  }
}
