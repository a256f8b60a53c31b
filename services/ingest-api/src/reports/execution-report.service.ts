import {
  DELIVERY_STATUSES,
  type Channel,
  type Delivery,
  type DeliveryStatus,
  type Execution,
  type ExecutionKind,
} from '@herald/contracts';
import { NotFoundError, ValidationError } from '@herald/errors';
import {
  deliveryCountsFrom,
  type DeliveryCounters,
  type DeliveryCounts,
  type DeliveryQueue,
} from '@herald/queues';
import type { Page, PageRequest, Store } from '@herald/store';
import { campaignHidden } from '../auth/campaign-access';
import { pageQueryProperties, pageRequestOf, type PageQuery } from '../http/page-query';
import { createAjv, toFieldErrors } from '../validation/ajv';
import type { EngagementReport } from './engagement-report';
import { EngagementReportService } from './engagement-report.service';
import type { ReportWindow } from './report-window';

/**
 * How long live counters with recipients still pending may stand still before the delivery
 * records are counted too (and the more complete count wins). While deliveries flow the counters
 * move and are trusted, so a long throttled execution is never re-counted from the store on every
 * read; counters that stopped may have missed an update (a worker that died between the store
 * commit and the counter write), or the rest is simply deferred.
 */
const LIVE_COUNTS_QUIET_MS = 10_000;

export const deliveryListQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { ...pageQueryProperties, status: { enum: DELIVERY_STATUSES } },
} as const;

export const failureListQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { ...pageQueryProperties },
} as const;

interface ListQuery extends PageQuery {
  status?: DeliveryStatus;
}

export type ExecutionReportStatus = 'InProgress' | 'Completed' | 'Failed';

export interface ExecutionReport {
  executionId: string;
  kind: ExecutionKind;
  campaignId: string;
  campaignVersion: number;
  status: ExecutionReportStatus;
  /** Why the execution failed, when it did. */
  error?: string;
  createdAt: string;
  /** Recipients of the call, or profiles queued so far for an audience execution. */
  recipients: number;
  counts: DeliveryCounts & { pending: number };
  /** `live`: Redis counters; `store`: counted from the delivery records (counters gone). */
  countsSource: 'live' | 'store';
}

/** The execution report, and the engagement events of a window. */
export type ExecutionReportOverTime = ExecutionReport & EngagementReport;

/** A failed delivery record, and whether its job can still be replayed. */
export type FailedDelivery = Delivery & { replayable: boolean };

export interface ExecutionReportDeps {
  store: Store;
  counters: DeliveryCounters;
  queues: Readonly<Record<Channel, DeliveryQueue>>;
}

/** The execution, not found also when the caller lacks one of its campaign's labels (`held`). */
export async function executionOrNotFound(
  store: Store,
  sandbox: string,
  executionId: string,
  held: readonly string[],
): Promise<Execution> {
  const execution = await store.executions.get(sandbox, executionId);
  if (!execution || (await campaignHidden(store, sandbox, execution.campaignId, held))) {
    throw new NotFoundError('execution-not-found', `execution ${executionId} does not exist`);
  }
  return execution;
}

/** What an execution did so far: its counts, its delivery records and its failures. */
export class ExecutionReportService {
  private readonly validateDeliveryQuery;
  private readonly validateFailureQuery;
  private readonly overTime: EngagementReportService;

  constructor(private readonly deps: ExecutionReportDeps) {
    this.overTime = new EngagementReportService(deps.store.engagement);
    const ajv = createAjv();
    this.validateDeliveryQuery = ajv.compile<ListQuery>(deliveryListQuerySchema);
    this.validateFailureQuery = ajv.compile<ListQuery>(failureListQuerySchema);
  }

  async report(sandbox: string, executionId: string, held: readonly string[]): Promise<ExecutionReport> {
    const execution = await executionOrNotFound(this.deps.store, sandbox, executionId, held);
    const recipients =
      execution.kind === 'audience' ? (execution.targetedProfileCount ?? 0) : execution.recipientCount;
    const pendingOf = (counts: DeliveryCounts): number =>
      Math.max(0, recipients - counts.sent - counts.failed - counts.excluded);
    const live = await this.deps.counters.executionLive(sandbox, executionId);
    let counts: DeliveryCounts | undefined = live?.counts;
    let countsSource: 'live' | 'store' = 'live';
    if (!counts || (pendingOf(counts) > 0 && liveCountsQuiet(execution, live?.changedAt ?? null))) {
      const stored = deliveryCountsFrom(
        await this.deps.store.deliveries.countByExecution(sandbox, executionId),
      );
      if (!counts || pendingOf(stored) < pendingOf(counts)) {
        counts = stored;
        countsSource = 'store';
      }
    }
    const pending = pendingOf(counts);
    return {
      executionId: execution.id,
      kind: execution.kind,
      campaignId: execution.campaignId,
      campaignVersion: execution.campaignVersion,
      status: reportStatus(execution, pending),
      ...(execution.status === 'failed' && execution.error ? { error: execution.error } : {}),
      createdAt: execution.createdAt,
      recipients,
      counts: { ...counts, pending },
      countsSource,
    };
  }

  async reportOverTime(
    sandbox: string,
    executionId: string,
    window: ReportWindow,
    held: readonly string[],
  ): Promise<ExecutionReportOverTime> {
    const report = await this.report(sandbox, executionId, held);
    return { ...report, ...(await this.overTime.overTime(sandbox, { executionId }, window)) };
  }

  /** Delivery records by recipient index; records hold no message bodies. */
  async deliveries(
    sandbox: string,
    executionId: string,
    query: unknown,
    held: readonly string[],
  ): Promise<Page<Delivery>> {
    const { page, status } = this.parse(this.validateDeliveryQuery, query);
    await executionOrNotFound(this.deps.store, sandbox, executionId, held);
    return this.deps.store.deliveries.listByExecution(
      sandbox,
      executionId,
      page,
      status === undefined ? {} : { status },
    );
  }

  async failures(
    sandbox: string,
    executionId: string,
    query: unknown,
    held: readonly string[],
  ): Promise<Page<FailedDelivery>> {
    const { page } = this.parse(this.validateFailureQuery, query);
    await executionOrNotFound(this.deps.store, sandbox, executionId, held);
    const failed = await this.deps.store.deliveries.listByExecution(sandbox, executionId, page, {
      status: 'failed',
    });
    const states = await Promise.all(
      failed.items.map((delivery) => this.deps.queues[delivery.channel].getJobState(delivery.id)),
    );
    return {
      items: failed.items.map((delivery, index) => ({ ...delivery, replayable: states[index] === 'failed' })),
      nextCursor: failed.nextCursor,
    };
  }

  private parse(
    validate: ((query: unknown) => query is ListQuery) & { errors?: Parameters<typeof toFieldErrors>[0] },
    query: unknown,
  ): { page: PageRequest; status?: DeliveryStatus } {
    if (!validate(query)) {
      throw new ValidationError('invalid-query', 'The query is invalid.', toFieldErrors(validate.errors));
    }
    return {
      page: pageRequestOf(query),
      ...(query.status === undefined ? {} : { status: query.status }),
    };
  }
}

/** Neither the counters nor the execution record (an audience's fan-out) changed lately. */
function liveCountsQuiet(execution: Execution, changedAt: number | null): boolean {
  const lastChange = Math.max(changedAt ?? 0, Date.parse(execution.updatedAt));
  return Date.now() - lastChange > LIVE_COUNTS_QUIET_MS;
}

/**
 * Completed once every job is queued (an audience's fan-out has finished) and every recipient
 * has an outcome; a replayed failure makes it InProgress again until it settles.
 */
function reportStatus(execution: Execution, pending: number): ExecutionReportStatus {
  if (execution.status === 'failed') return 'Failed';
  return execution.status === 'queued' && pending === 0 ? 'Completed' : 'InProgress';
}
