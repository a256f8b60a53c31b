import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ConflictError, ServiceUnavailableError } from '@herald/errors';
import { newId } from '@herald/contracts';
import { RedisKeys, scriptsOf, type RedisScripts } from '@herald/queues';
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

/** A claim can vanish between the two steps only if it expires right then; one retry covers it. */
const CLAIM_ATTEMPTS = 2;

/**
 * Makes `(sandbox, requestId)` an idempotency key: a repeated call with the same body gets the
 * first answer (or resumes the first attempt), a repeated requestId with another body is refused.
 */
export class IdempotencyGuard {
  private readonly scripts: RedisScripts;
  private readonly keys: RedisKeys;

  constructor(
    redis: Redis,
    private readonly options: IdempotencyOptions,
  ) {
    this.scripts = scriptsOf(redis);
    this.keys = new RedisKeys(options.prefix);
  }

  /**
   * `bodyHash` is the call's `bodyFingerprint`. Throws ConflictError 'request-id-reused' when the
   * same (sandbox, requestId) came with a different body.
   */
  async begin(sandbox: string, requestId: string, bodyHash: string): Promise<IdempotencyOutcome> {
    const key = this.keys.idempotency(sandbox, requestId);
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
      const claim: IdempotencyRecord = { bodyHash, executionId: newId(), state: 'in-progress' };
      const existing = await this.run(() =>
        this.scripts.heraldIdempotencyClaim(key, JSON.stringify(claim), this.options.ttlSeconds),
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
    const key = this.keys.idempotency(sandbox, requestId);
    await this.run(() =>
      this.scripts.heraldIdempotencyComplete(key, JSON.stringify(response), this.options.ttlSeconds),
    );
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
