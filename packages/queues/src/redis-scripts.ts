import type { Redis } from 'ioredis';

/**
 * Every Lua script Herald runs, each on the one key it names (see `RedisKeys`). ioredis sends
 * them by SHA (EVALSHA) and loads them on a miss. Single-command scripts rather than MULTIs: on a
 * connection shared with BullMQ, a MULTI builds a pipeline that copies every script BullMQ defined
 * on it, per call.
 */
const SCRIPTS = {
  /**
   * One more call in the window; the key expires after ARGV[1] ms. Returns the window's count.
   */
  heraldRateLimitCount: `
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return count
`,
  /**
   * Claims the idempotency key (ARGV[1], TTL ARGV[2] s) when it is free and otherwise returns what
   * it holds, in one step, so that two API processes receiving the same call at once cannot both
   * be told it is new. Returns nil when claimed.
   */
  heraldIdempotencyClaim: `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
  return false
end
return redis.call('GET', KEYS[1])
`,
  /**
   * Marks a claim done with its answer (ARGV[1], JSON text spliced in untouched) in one round
   * trip; an expired claim is not revived (a later call with this requestId is simply new).
   * Returns 1 when marked, 0 when the claim was gone.
   */
  heraldIdempotencyComplete: `
local current = redis.call('GET', KEYS[1])
if not current then
  return 0
end
local record = cjson.decode(current)
local done = cjson.encode({ bodyHash = record.bodyHash, executionId = record.executionId, state = 'done' })
done = string.sub(done, 1, -2) .. ',"response":' .. ARGV[1] .. '}'
redis.call('SET', KEYS[1], done, 'EX', ARGV[2], 'XX')
return 1
`,
  /** One more soft bounce and a fresh TTL (ARGV[1] s). Returns the length of the run. */
  heraldSoftBounceAdd: `
local count = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
return count
`,
  /**
   * Sliding-window frequency cap: a sorted set of the deliveries sent to one profile on one
   * channel, scored by time. The delivery id (ARGV[3]) is the member, so a retried job takes the
   * same place instead of a second one. Period ARGV[1] ms, at most ARGV[2] places. Returns 1
   * when the delivery may go, 0 when the cap is reached.
   */
  heraldFrequencyTake: `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local period = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - period)
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], period)
return 1
`,
  /**
   * GCRA reservation: each call reserves the next free slot of the campaign (one slot every
   * ARGV[1] ms) unless it falls after the deadline ARGV[2] (epoch ms), and returns it, so workers
   * that all ask at once are handed successive slots instead of racing for the same second. Redis
   * TIME is the clock, so workers on other machines agree. The key lives only as long as the
   * reservations it holds. Returns { slot, now, reserved ('1' or '0') }.
   */
  heraldThrottleReserve: `
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
`,
} as const;

type ScriptName = keyof typeof SCRIPTS;

/** The scripts as typed calls on one connection; each takes its key first, then its arguments. */
export interface RedisScripts {
  heraldRateLimitCount(key: string, ttlMs: number): Promise<number>;
  heraldIdempotencyClaim(key: string, claim: string, ttlSeconds: number): Promise<string | null>;
  heraldIdempotencyComplete(key: string, responseJson: string, ttlSeconds: number): Promise<number>;
  heraldSoftBounceAdd(key: string, ttlSeconds: number): Promise<number>;
  heraldFrequencyTake(key: string, periodMs: number, max: number, member: string): Promise<number>;
  heraldThrottleReserve(key: string, intervalMs: number, deadline: number): Promise<[string, string, string]>;
}

const registered = new WeakSet<Redis>();

/** Defines every script on the connection, once (later calls on the same connection do nothing). */
export function registerScripts(redis: Redis): void {
  if (registered.has(redis)) return;
  for (const [name, lua] of Object.entries(SCRIPTS)) {
    redis.defineCommand(name as ScriptName, { numberOfKeys: 1, lua });
  }
  registered.add(redis);
}

/** The connection's scripts, registered on first use. */
export function scriptsOf(redis: Redis): RedisScripts {
  registerScripts(redis);
  // Commands added by defineCommand exist at run time but not in ioredis' static types.
  return redis as unknown as RedisScripts;
}
