import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ConflictError, ServiceUnavailableError } from '@herald/errors';
import { newId } from '@herald/contracts';

export type IdempotencyOutcome =
  /**
   * First time: the caller queues, then marks the call done: with `complete()`, or, for trigger
   * calls, by writing their `queued` execution record, which a resumed call finds.
   */
  | { kind: 'new'; executionId: string }
  /**
   * The same body was claimed but never completed (a crash, or a concurrent duplicate): the caller
   * re-queues with the same executionId (job ids are deterministic, so nothing is duplicated),
   * unless the call is already marked done as above.
   */
  | { kind: 'resume'; executionId: string }
  /** The same body already completed: answer this response and queue nothing. */
  | { kind: 'replay'; response: unknown };

export interface IdempotencyOptions {
  /** The queue prefix, so that test runs and deployments sharing a Redis do not collide. */
  prefix: string;
  ttlSeconds: number;
}

interface IdempotencyRecord {
  bodyHash: string;
  executionId: string;
  state: 'in-progress' | 'done';
  response?: unknown;
}

/**
 * Claims the key when it is free and otherwise returns what it holds, in one step, so that two API
 * processes receiving the same call at once cannot both be told it is new.
 */
const CLAIM_SCRIPT = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
  return false
end
return redis.call('GET', KEYS[1])
`;

/**
 * Marks a claim done with its answer in one round trip; an expired claim is not revived (a later
 * call with this requestId is simply new). The answer is spliced in as JSON text, untouched.
 */
const COMPLETE_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if not current then
  return 0
end
local record = cjson.decode(current)
local done = cjson.encode({ bodyHash = record.bodyHash, executionId = record.executionId, state = 'done' })
done = string.sub(done, 1, -2) .. ',"response":' .. ARGV[1] .. '}'
redis.call('SET', KEYS[1], done, 'EX', ARGV[2], 'XX')
return 1
`;

/** A claim can vanish between the two steps only if it expires right then; one retry covers it. */
const CLAIM_ATTEMPTS = 2;

/**
 * Makes `(sandbox, requestId)` an idempotency key: a repeated call with the same body gets the
 * first answer (or resumes the first attempt), a repeated requestId with another body is refused.
 */
export class IdempotencyGuard {
  constructor(
    private readonly redis: Redis,
    private readonly options: IdempotencyOptions,
  ) {}

  /** Throws ConflictError 'request-id-reused' when the same (sandbox, requestId) came with a different body. */
  async begin(sandbox: string, requestId: string, body: unknown): Promise<IdempotencyOutcome> {
    const key = this.keyOf(sandbox, requestId);
    const bodyHash = hashOf(body);
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
      const claim: IdempotencyRecord = { bodyHash, executionId: newId(), state: 'in-progress' };
      const existing = await this.run(() =>
        this.redis.eval(CLAIM_SCRIPT, 1, key, JSON.stringify(claim), String(this.options.ttlSeconds)),
      );
      if (existing === null) return { kind: 'new', executionId: claim.executionId };
      if (typeof existing !== 'string') continue;
      const record = JSON.parse(existing) as IdempotencyRecord;
      if (record.bodyHash !== bodyHash) {
        throw new ConflictError(
          'request-id-reused',
          `requestId ${requestId} was already used with a different body; use a new requestId for a new call`,
        );
      }
      return record.state === 'done'
        ? { kind: 'replay', response: record.response }
        : { kind: 'resume', executionId: record.executionId };
    }
    throw new ServiceUnavailableError('queue-unavailable', 'The idempotency claim could not be made; retry.');
  }

  async complete(sandbox: string, requestId: string, response: unknown): Promise<void> {
    const key = this.keyOf(sandbox, requestId);
    await this.run(() =>
      this.redis.eval(COMPLETE_SCRIPT, 1, key, JSON.stringify(response), String(this.options.ttlSeconds)),
    );
  }

  private keyOf(sandbox: string, requestId: string): string {
    return `${this.options.prefix}:idem:${sandbox}:${requestId}`;
  }

  /** Redis errors become the 503 the client can retry on, like a failed enqueue. */
  private async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new ServiceUnavailableError('queue-unavailable', 'The queue is unavailable; retry later.', 2, {
        cause: error,
      });
    }
  }
}

/** SHA-256 of the body as canonical JSON (keys sorted at every level), so key order does not matter. */
function hashOf(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/**
 * JSON with the keys of every object sorted. A copy with sorted keys, made only where keys are
 * out of order, then native serialisation: a third cheaper than a JSON.stringify replacer, which
 * crosses into JavaScript for every value, on a hot path of every trigger call.
 */
function canonicalJson(value: unknown): string {
  return JSON.stringify(sortedKeys(value)) ?? 'null';
}

function sortedKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index += 1) {
      const item: unknown = value[index];
      const sorted = sortedKeys(item);
      if (sorted !== item) {
        copy ??= value.slice();
        copy[index] = sorted;
      }
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  const sorted: Record<string, unknown> = {};
  for (const key of keys) {
    const item = sortedKeys(record[key]);
    // JSON.parse makes `__proto__` an own key; assigning it would set the prototype and drop it.
    if (key === '__proto__') {
      Object.defineProperty(sorted, key, {
        value: item,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      sorted[key] = item;
    }
  }
  return sorted;
}
