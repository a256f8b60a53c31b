import type { Redis } from 'ioredis';
import { OUTCOME_STATUSES, type DeliveryStatus } from '@herald/contracts';
import { RedisKeys } from './redis-keys';

const DEFAULT_TTL_SECONDS = 30 * 24 * 3600;
const STATUS_FIELD = 'status:';
const REASON_FIELD = 'reason:';
const DEFERRED_FIELD = 'deferred';
/**
 * Epoch ms, by the writer's clock, when a recipient of the execution last got (or, replayed, lost)
 * its outcome: what tells counters that stopped settling recipients. Provider feedback and
 * deferrals leave it alone, since they settle nobody.
 */
const CHANGED_AT_FIELD = 'changedAt';
/** Only these statuses are broken down by reason, as the store's counts are. */
const STATUSES_WITH_REASONS: ReadonlySet<DeliveryStatus> = new Set(['failed', 'excluded']);

export interface CounterScope {
  sandbox: string;
  executionId: string;
  campaignId: string;
}

/** One real status change of one delivery (from the store's RecordedTransition). */
export interface StatusTransition {
  scope: CounterScope;
  /** Null when the delivery record did not exist before. */
  from: DeliveryStatus | null;
  fromReason?: string;
  to: DeliveryStatus;
  toReason?: string;
}

/** What the store says a record write found (the shape of its `RecordedTransition`). */
export interface WrittenOver {
  /** Null when the write created the record. */
  previousStatus: DeliveryStatus | null;
  previousReason?: string;
  /** The record kept its status (provider feedback is ahead of the write): nothing moved. */
  statusKept?: true;
}

/**
 * The counter change of one record write of status `to` (and reason), or null when its status and
 * reason did not move: the same outcome written again, or a status kept over provider feedback.
 */
export function transitionOfWrite(
  scope: CounterScope,
  before: WrittenOver | undefined,
  to: { status: DeliveryStatus; reason?: string },
): StatusTransition | null {
  if (before?.statusKept) return null;
  const from = before?.previousStatus ?? null;
  if (from === to.status && before?.previousReason === to.reason) return null;
  return {
    scope,
    from,
    ...(before?.previousReason === undefined ? {} : { fromReason: before.previousReason }),
    to: to.status,
    ...(to.reason === undefined ? {} : { toReason: to.reason }),
  };
}

/**
 * What happened to the recipients of an execution or campaign. `sent`, `failed` and `excluded`
 * are the outcomes of the send (each record counts in exactly one of them once settled);
 * `delivered`, `opened` and `clicked` are a funnel over the sent ones (an opened message counts as
 * delivered, a clicked one as opened); `deferred` counts deferrals (quiet hours, throttle), not
 * recipients.
 */
export interface DeliveryCounts {
  sent: number;
  failed: number;
  excluded: number;
  excludedByReason: Record<string, number>;
  failedByReason: Record<string, number>;
  deferred: number;
  delivered: number;
  bounced: number;
  opened: number;
  clicked: number;
}

/** Live counts and when they last settled a recipient (see `DeliveryCounters.executionLive`). */
export interface LiveCounts {
  counts: DeliveryCounts;
  changedAt: number | null;
}

/** Records by current status, the shape both the counters and the store's aggregation hold. */
export interface StatusCounts {
  byStatus: Partial<Record<DeliveryStatus, number>>;
  excludedByReason: Record<string, number>;
  failedByReason: Record<string, number>;
  deferred?: number;
}

/** The report's counts from counts of records by current status. */
export function deliveryCountsFrom(counts: StatusCounts): DeliveryCounts {
  const of = (status: DeliveryStatus): number => counts.byStatus[status] ?? 0;
  const clicked = of('clicked');
  const opened = of('opened') + clicked;
  const delivered = of('delivered') + opened;
  return {
    sent: of('sent') + delivered + of('bounced'),
    failed: of('failed'),
    excluded: of('excluded'),
    excludedByReason: withoutZeros(counts.excludedByReason),
    failedByReason: withoutZeros(counts.failedByReason),
    deferred: counts.deferred ?? 0,
    delivered,
    bounced: of('bounced'),
    opened,
    clicked,
  };
}

function withoutZeros(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([, count]) => count !== 0));
}

/**
 * Live delivery counts per execution and per campaign, in Redis hashes that hold how many records
 * are in each status (and, for failed and excluded, each reason). Only real status changes
 * reported by the store are applied, so a retried job is never counted twice. Hashes expire
 * `ttlSeconds` after their last change; readers fall back to the store's own counts then.
 * Keys (`RedisKeys`) are tagged by sandbox, so one MULTI per sandbox moves an execution's and its
 * campaign's counters together on a Redis Cluster.
 */
export class DeliveryCounters {
  private readonly ttlSeconds: number;
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    options: { ttlSeconds?: number } = {},
  ) {
    this.ttlSeconds = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
    this.keys = new RedisKeys(prefix);
  }

  /**
   * Applies many transitions, one MULTI per sandbox (its keys share a cluster slot): +1 on each
   * new status, −1 on each previous one.
   */
  async apply(transitions: readonly StatusTransition[]): Promise<void> {
    const bySandbox = new Map<string, StatusTransition[]>();
    for (const transition of transitions) {
      const group = bySandbox.get(transition.scope.sandbox) ?? [];
      group.push(transition);
      bySandbox.set(transition.scope.sandbox, group);
    }
    await Promise.all([...bySandbox.values()].map((group) => this.applyInOneSlot(group)));
  }

  private async applyInOneSlot(transitions: readonly StatusTransition[]): Promise<void> {
    const deltas = new Map<string, Map<string, number>>();
    const add = (key: string, field: string, delta: number): void => {
      const fields = deltas.get(key) ?? new Map<string, number>();
      fields.set(field, (fields.get(field) ?? 0) + delta);
      deltas.set(key, fields);
    };
    const settling = new Set<string>();
    for (const transition of transitions) {
      for (const key of this.keysOf(transition.scope)) {
        for (const field of statusFields(transition.to, transition.toReason)) add(key, field, 1);
        if (transition.from !== null) {
          for (const field of statusFields(transition.from, transition.fromReason)) add(key, field, -1);
        }
      }
      if (OUTCOME_STATUSES.includes(transition.to))
        settling.add(this.keys.executionCounters(transition.scope.sandbox, transition.scope.executionId));
    }
    const multi = this.redis.multi();
    const now = Date.now();
    for (const [key, fields] of deltas) {
      for (const [field, delta] of fields) if (delta !== 0) multi.hincrby(key, field, delta);
      if (settling.has(key)) multi.hset(key, CHANGED_AT_FIELD, now);
      multi.expire(key, this.ttlSeconds);
    }
    await execOrThrow(multi);
  }

  /** Counts a deferral (quiet hours / throttle) without a status change. */
  async addDeferred(scope: CounterScope, n = 1): Promise<void> {
    const multi = this.redis.multi();
    for (const key of this.keysOf(scope)) {
      multi.hincrby(key, DEFERRED_FIELD, n);
      multi.expire(key, this.ttlSeconds);
    }
    await execOrThrow(multi);
  }

  /**
   * Null when the execution has no live counters: none were ever written, they expired, or they
   * were recreated after expiring by later changes alone (a count below zero gives that away).
   */
  async execution(sandbox: string, executionId: string): Promise<DeliveryCounts | null> {
    return (await this.read(this.keys.executionCounters(sandbox, executionId)))?.counts ?? null;
  }

  /**
   * `execution`, with when its counters last settled a recipient (epoch ms, by the clock of the
   * process that moved them; null when they never did), read together. Counters still settling
   * recipients are being kept up to date; counters that stopped while recipients are pending may
   * have missed an update.
   */
  async executionLive(sandbox: string, executionId: string): Promise<LiveCounts | null> {
    return this.read(this.keys.executionCounters(sandbox, executionId));
  }

  /** Same as `execution`, over every execution of a campaign. */
  async campaign(sandbox: string, campaignId: string): Promise<DeliveryCounts | null> {
    return (await this.read(this.keys.campaignCounters(sandbox, campaignId)))?.counts ?? null;
  }

  private async read(key: string): Promise<LiveCounts | null> {
    const hash = await this.redis.hgetall(key);
    const counts: Required<StatusCounts> = {
      byStatus: {},
      excludedByReason: {},
      failedByReason: {},
      deferred: 0,
    };
    let fields = 0;
    let changedAt: number | null = null;
    for (const [field, raw] of Object.entries(hash)) {
      if (field === CHANGED_AT_FIELD) {
        const value = Number(raw);
        changedAt = Number.isSafeInteger(value) && value > 0 ? value : null;
        continue;
      }
      const value = Number(raw);
      if (!Number.isInteger(value) || value < 0) return null;
      fields += 1;
      if (field === DEFERRED_FIELD) counts.deferred = value;
      else if (field.startsWith(STATUS_FIELD)) {
        counts.byStatus[field.slice(STATUS_FIELD.length) as DeliveryStatus] = value;
      } else if (field.startsWith(REASON_FIELD)) {
        const [status, ...reason] = field.slice(REASON_FIELD.length).split(':');
        const byReason = status === 'excluded' ? counts.excludedByReason : counts.failedByReason;
        byReason[reason.join(':')] = value;
      }
    }
    return fields === 0 ? null : { counts: deliveryCountsFrom(counts), changedAt };
  }

  private keysOf(scope: CounterScope): [string, string] {
    return [
      this.keys.executionCounters(scope.sandbox, scope.executionId),
      this.keys.campaignCounters(scope.sandbox, scope.campaignId),
    ];
  }
}

function statusFields(status: DeliveryStatus, reason: string | undefined): string[] {
  const fields = [`${STATUS_FIELD}${status}`];
  if (reason !== undefined && STATUSES_WITH_REASONS.has(status)) {
    fields.push(`${REASON_FIELD}${status}:${reason}`);
  }
  return fields;
}

async function execOrThrow(multi: ReturnType<Redis['multi']>): Promise<void> {
  const results = await multi.exec();
  const failure = results?.find(([error]) => error !== null)?.[0];
  if (failure) throw failure;
  if (results === null) throw new Error('Redis discarded the counters transaction.');
}
