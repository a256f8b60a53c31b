import { createHash } from 'node:crypto';
import type { Channel } from '@herald/contracts';

/** What an `x-request-id` idempotency key is scoped to, besides the header's value. */
export interface HeaderIdempotencyScope {
  sandbox: string;
  /** The authenticated caller: its API key id, or its API credential id. */
  caller: string;
  /** The trigger operation (`unitary`, `highthroughput`, `audience`), whatever its base path. */
  operation: string;
  campaignId: string;
}

/**
 * Every Redis key Herald writes besides BullMQ's own, built in this one place. Each starts with
 * the deployment's QUEUE_PREFIX (so deployments, and test runs, sharing a Redis never collide, and
 * a test removes its keys by prefix), and each carries a Redis Cluster hash tag `{…}`: keys one
 * script or MULTI touches together share their tag, hence their slot. A QUEUE_PREFIX that itself
 * holds a tag (`{herald}`, as BullMQ asks on a cluster) overrides these: every key then shares
 * one slot, which is cluster-safe too.
 *
 * | Key                                               | Type   | TTL                       | Written by                           |
 * | ------------------------------------------------- | ------ | ------------------------- | ------------------------------------ |
 * | `<prefix>:idem:{<sandbox>:<requestId>}`           | string | IDEMPOTENCY_TTL_SECONDS   | API, trigger calls (IdempotencyGuard) |
 * | `<prefix>:idem-x:{<sandbox>:<caller>:<operation>:<campaignId>:<x-request-id>}` | string | IDEMPOTENCY_TTL_SECONDS | API, trigger calls (IdempotencyGuard) |
 * | `<prefix>:rate-limit:{<keyId>}:<second>`          | string | 2 s                       | API, per-key rate limit              |
 * | `<prefix>:softbounce:{<sandbox>}:<channel>:<sha>` | string | 30 days after last bounce | API, provider webhooks               |
 * | `<prefix>:fcap:{<sandbox>:<profileId>}:<channel>` | zset   | the cap's period          | worker, frequency cap                |
 * | `<prefix>:throttle:{<sandbox>:<campaignId>}`      | string | while slots are reserved  | worker, campaign throttle            |
 * | `<prefix>:counters:{<sandbox>}:exec:<executionId>`| hash   | 30 days after last change | worker, API webhooks and replays     |
 * | `<prefix>:counters:{<sandbox>}:campaign:<id>`     | hash   | 30 days after last change | worker, API webhooks and replays     |
 *
 * `<sha>` is the SHA-256 of the address: keys show up in logs and `redis-cli --scan`, addresses
 * must not. An `x-request-id` is scoped to its caller, operation and campaign: a tracing id
 * forwarded to two sends must not drop the second, nor replay one caller's answer to another; its
 * parts are URI-encoded so that no `:` or `}` in them makes two scopes one key. BullMQ keeps its
 * queues under `<prefix>:<queue name>:…` (queue names in `@herald/contracts`). One MULTI of delivery counters moves an execution's and its campaign's
 * hashes together, hence their shared `{<sandbox>}` tag.
 */
/** The groups of routes each API key has a call rate of its own for. */
export type RateLimitScope = 'executions' | 'author-tools';

export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** A trigger call's idempotency record. */
  idempotency(sandbox: string, requestId: string): string {
    return `${this.prefix}:idem:{${sandbox}:${requestId}}`;
  }

  /** A trigger call's idempotency record under the caller's `x-request-id` header. */
  headerIdempotency(scope: HeaderIdempotencyScope, xRequestId: string): string {
    const parts = [scope.sandbox, scope.caller, scope.operation, scope.campaignId, xRequestId];
    return `${this.prefix}:idem-x:{${parts.map(encodeURIComponent).join(':')}}`;
  }

  /** Calls of one API key to one group of routes in one one-second window (`window` = epoch seconds). */
  rateLimit(keyId: string, window: number, scope: RateLimitScope = 'executions'): string {
    return `${this.prefix}:rate-limit:${scope}:{${keyId}}:${window}`;
  }

  /** The run of soft bounces of one address. */
  softBounces(sandbox: string, channel: Channel, address: string): string {
    const hashed = createHash('sha256').update(address).digest('base64url');
    return `${this.prefix}:softbounce:{${sandbox}}:${channel}:${hashed}`;
  }

  /** The deliveries under a profile's frequency cap on one channel. */
  frequencyCap(sandbox: string, profileId: string, channel: Channel): string {
    return `${this.prefix}:fcap:{${sandbox}:${profileId}}:${channel}`;
  }

  /** A campaign's next free throttle slot. */
  throttle(sandbox: string, campaignId: string): string {
    return `${this.prefix}:throttle:{${sandbox}:${campaignId}}`;
  }

  executionCounters(sandbox: string, executionId: string): string {
    return `${this.prefix}:counters:{${sandbox}}:exec:${executionId}`;
  }

  campaignCounters(sandbox: string, campaignId: string): string {
    return `${this.prefix}:counters:{${sandbox}}:campaign:${campaignId}`;
  }
}
