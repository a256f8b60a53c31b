import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ConflictError, ServiceUnavailableError } from '@herald/errors';
import { newId } from '@herald/contracts';
import { queueUnavailable } from './queue-unavailable';

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

  /**
   * `bodyHash` is the call's `bodyFingerprint`. Throws ConflictError 'request-id-reused' when the
   * same (sandbox, requestId) came with a different body.
   */
  async begin(sandbox: string, requestId: string, bodyHash: string): Promise<IdempotencyOutcome> {
    const key = this.keyOf(sandbox, requestId);
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
      throw queueUnavailable(error);
    }
  }
}

/**
 * The fingerprint a `requestId` is bound to: the SHA-256 of the body exactly as it was sent. A
 * retry sends the same bytes; hashing them costs a fraction of sorting and re-serialising the
 * parsed body, which took 5 % of the API's CPU on every trigger call (docs/decisions.md).
 */
export function bodyFingerprint(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('base64url');
}
