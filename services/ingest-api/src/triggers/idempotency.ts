import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ConflictError, ServiceUnavailableError } from '@herald/errors';
import { newId } from '@herald/contracts';
import { RedisKeys, scriptsOf, type HeaderIdempotencyScope, type RedisScripts } from '@herald/queues';
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
  /** Whether the sandbox takes the body's `requestId` as an idempotency key (its settings; cached). */
  bodyRequestIdEnabled(sandbox: string): Promise<boolean>;
}

/** What a trigger call can be deduplicated by. */
export interface IdempotencyKeys {
  sandbox: string;
  /** `bodyFingerprint` of the body as sent. */
  fingerprint: string;
  /** The body's `requestId`; not a key in a sandbox that turned `bodyRequestId` off. */
  requestId?: string;
  /**
   * The caller's own `x-request-id` header (never a generated one), keyed within its caller,
   * operation and campaign (the sandbox is the call's).
   */
  xRequestId?: { value: string } & Omit<HeaderIdempotencyScope, 'sandbox'>;
}

/** The outcome of `begin` and the keys it claimed, which `complete` marks done. */
export type IdempotencyClaim = IdempotencyOutcome & { claimed: ClaimedKeys };

interface ClaimedKeys {
  requestId?: string;
  /** The Redis key of the x-request-id claim. */
  headerKey?: string;
}

interface IdempotencyRecord {
  bodyHash: string;
  executionId: string;
  state: 'in-progress' | 'done';
  response?: unknown;
}

interface Claim {
  fresh: boolean;
  record: IdempotencyRecord;
}

function outcomeOf({ fresh, record }: Claim): IdempotencyOutcome {
  if (fresh) return { kind: 'new', executionId: record.executionId };
  return record.state === 'done'
    ? { kind: 'replay', response: record.response }
    : { kind: 'resume', executionId: record.executionId };
}

/** A claim can vanish between the two steps only if it expires right then; one retry covers it. */
const CLAIM_ATTEMPTS = 2;

/**
 * Makes `(sandbox, requestId)` and `(sandbox, caller, operation, campaignId, x-request-id)`
 * idempotency keys. Under a body `requestId`, a repeated call with the same body gets the first
 * answer (or resumes the first attempt) and another body is refused with 409. Under an
 * `x-request-id`, as AJO's gateway does, a repeated value from the same caller to the same
 * operation and campaign answers the first 202 again whatever the body, and executes nothing.
 */
export class IdempotencyGuard {
  private readonly scripts: RedisScripts;
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: Redis,
    private readonly options: IdempotencyOptions,
  ) {
    this.scripts = scriptsOf(redis);
    this.keys = new RedisKeys(options.prefix);
  }

  /**
   * Claims the call's keys: the header first (a done record answers whatever the body), then the
   * body `requestId` when the sandbox uses it, whose outcome decides the executionId. Throws
   * ConflictError 'request-id-reused' or 'x-request-id-in-progress'.
   */
  async begin(call: IdempotencyKeys): Promise<IdempotencyClaim> {
    const { sandbox, fingerprint, xRequestId } = call;
    const requestId =
      call.requestId !== undefined && (await this.options.bodyRequestIdEnabled(sandbox))
        ? call.requestId
        : undefined;
    let header: IdempotencyOutcome | undefined;
    let headerKey: string | undefined;
    if (xRequestId !== undefined) {
      const { value, ...scope } = xRequestId;
      headerKey = this.keys.headerIdempotency({ sandbox, ...scope }, value);
      const claim = await this.claim(headerKey, fingerprint);
      header = outcomeOf(claim);
      if (header.kind === 'replay') return { ...header, claimed: {} };
      if (claim.record.bodyHash !== fingerprint) {
        throw new ConflictError(
          'x-request-id-in-progress',
          `x-request-id ${value} belongs to a call with another body that has not answered yet`,
        );
      }
    }
    const claimed: ClaimedKeys = {
      ...(headerKey !== undefined ? { headerKey } : {}),
      ...(requestId ? { requestId } : {}),
    };
    if (requestId === undefined) {
      return { ...(header ?? { kind: 'new', executionId: newId() }), claimed };
    }
    const key = this.keys.idempotency(sandbox, requestId);
    let claim: Claim;
    try {
      claim = await this.claim(key, fingerprint);
    } catch (error) {
      if (header?.kind === 'new') await this.release(headerKey);
      throw error;
    }
    if (claim.record.bodyHash !== fingerprint) {
      // This call never executes: its x-request-id stays free for the caller's corrected call.
      if (header?.kind === 'new') await this.release(headerKey);
      throw new ConflictError(
        'request-id-reused',
        `requestId ${requestId} was already used with a different body; use a new requestId for a new call`,
      );
    }
    const body = outcomeOf(claim);
    // A header claim resumed onto a body key that has since expired keeps the first executionId.
    return { ...(body.kind === 'new' && header?.kind === 'resume' ? header : body), claimed };
  }

  /**
   * Marks the claimed keys done with the call's answer. Trigger calls pass `requestId: false`:
   * their `queued` execution record is what marks a body requestId done (see enqueueRecipients),
   * which spares the hot path a round trip.
   */
  async complete(
    claim: IdempotencyClaim,
    sandbox: string,
    response: unknown,
    requestId = true,
  ): Promise<void> {
    const keys = [
      ...(claim.claimed.headerKey !== undefined ? [claim.claimed.headerKey] : []),
      ...(requestId && claim.claimed.requestId !== undefined
        ? [this.keys.idempotency(sandbox, claim.claimed.requestId)]
        : []),
    ];
    const json = JSON.stringify(response);
    await Promise.all(
      keys.map((key) =>
        this.run(() => this.scripts.heraldIdempotencyComplete(key, json, this.options.ttlSeconds)),
      ),
    );
  }

  /**
   * Frees the keys of a fresh claim (`kind: 'new'`) whose call failed before queuing anything, for
   * a reason that waiting would not change: the same call then runs afresh, and the caller's
   * corrected call (same requestId or x-request-id, another body) is not refused with 409 while the
   * claim would otherwise last its TTL. A resumed claim is left as it is: an earlier attempt may
   * have queued jobs under its executionId, which only a resumption can complete without sending
   * twice.
   */
  async abandon(claim: IdempotencyClaim, sandbox: string): Promise<void> {
    if (claim.kind !== 'new') return;
    const { headerKey, requestId } = claim.claimed;
    const keys = [
      ...(headerKey !== undefined ? [headerKey] : []),
      ...(requestId !== undefined ? [this.keys.idempotency(sandbox, requestId)] : []),
    ];
    if (keys.length > 0) await this.run(() => this.redis.del(...keys));
  }

  /** The record under `key`: this call's fresh one, or the one an earlier call left. */
  private async claim(key: string, bodyHash: string): Promise<Claim> {
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
      const claim: IdempotencyRecord = { bodyHash, executionId: newId(), state: 'in-progress' };
      const existing = await this.run(() =>
        this.scripts.heraldIdempotencyClaim(key, JSON.stringify(claim), this.options.ttlSeconds),
      );
      if (existing === null) return { fresh: true, record: claim };
      if (typeof existing !== 'string') continue;
      return { fresh: false, record: JSON.parse(existing) as IdempotencyRecord };
    }
    throw new ServiceUnavailableError('queue-unavailable', 'The idempotency claim could not be made; retry.');
  }

  private async release(headerKey: string | undefined): Promise<void> {
    if (headerKey === undefined) return;
    await this.run(() => this.redis.del(headerKey));
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
