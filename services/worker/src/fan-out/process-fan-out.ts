import { DelayedError, type Job } from 'bullmq';
import type { Channel, Execution, FanOutJobData } from '@herald/contracts';
import type { Logger } from '@herald/logger';
import { deliveryJob, type DeliveryQueue } from '@herald/queues';
import type { Store } from '@herald/store';
import { jobLogger } from '../job-logger';
import { audienceMembers } from './audience-members';

export interface FanOutDeps {
  store: Store;
  deliveryQueues: Record<Channel, DeliveryQueue>;
  pageSize: number;
  /**
   * QUEUE_MAX_WAITING: before each page, a delivery queue holding more waiting jobs than this
   * (0: no bound) pauses the fan-out for `backpressureDelayMs` instead of growing Redis further.
   */
  maxWaiting: number;
  backpressureDelayMs: number;
  logger: Logger;
}

export type FanOutOutcome =
  | { outcome: 'queued'; targetedProfileCount: number }
  | { outcome: 'skipped'; reason: 'schedule-not-scheduled' | 'already-settled' | 'audience-not-found' };

/**
 * Streams an audience into delivery jobs, one page at a time. After each page it records the
 * next cursor and the count queued so far (which is also the next recipient index), so a
 * retried job resumes there; a page re-added after a crash before that write gets the same
 * deterministic job ids, and BullMQ ignores ids it already holds: no profile is queued twice.
 */
export async function processFanOut(
  job: Job<FanOutJobData>,
  deps: FanOutDeps,
  token?: string,
): Promise<FanOutOutcome> {
  const data = job.data;
  const { store } = deps;
  const logger = jobLogger(deps.logger, job);
  if (data.scheduleId !== undefined && !(await triggerSchedule(data, data.scheduleId, store))) {
    logger.info({ scheduleId: data.scheduleId }, 'schedule no longer scheduled; not firing');
    return { outcome: 'skipped', reason: 'schedule-not-scheduled' };
  }
  const execution = await executionOf(data, store);
  if (execution.status !== 'accepted') return { outcome: 'skipped', reason: 'already-settled' };
  const version = await store.campaigns.getVersion(data.sandbox, data.campaignId, data.campaignVersion);
  if (!version) throw new Error(`campaign ${data.campaignId} version ${data.campaignVersion} not found`);
  const audience = await store.audiences.get(data.sandbox, data.audienceId);
  if (!audience) {
    await store.executions.setStatus(data.sandbox, data.executionId, 'failed', 'audience-not-found');
    return { outcome: 'skipped', reason: 'audience-not-found' };
  }
  const channel = version.definition.channel;
  const queue = deps.deliveryQueues[channel];
  const readPage = audienceMembers(store, audience, version.definition, deps.pageSize);
  // Kept once on the execution: members' jobs refer to it. An execution recorded without it (by
  // a version before this one) still has each job carry a copy.
  const contextOfExecution =
    data.context !== undefined &&
    (await store.executions.getContext(data.sandbox, data.executionId)) !== null;
  let index = execution.targetedProfileCount ?? 0;
  let cursor = execution.fanOutCursor;
  // Profiles queued and no cursor left: the last page was recorded before the status was.
  const finished = index > 0 && cursor === undefined;
  while (!finished) {
    if (deps.maxWaiting > 0 && (await queue.getWaitingCount()) > deps.maxWaiting) {
      // Resumes at the recorded cursor; a delayed job uses none of its attempts.
      logger.info({ channel, targetedProfileCount: index }, 'delivery queue full; audience fan-out paused');
      await job.moveToDelayed(Date.now() + deps.backpressureDelayMs, token);
      throw new DelayedError();
    }
    const page = await readPage(cursor);
    const queuedAt = new Date().toISOString();
    const jobs = page.recipients.map((recipient, offset) =>
      deliveryJob({
        executionId: data.executionId,
        sandbox: data.sandbox,
        campaignId: data.campaignId,
        campaignVersion: data.campaignVersion,
        channel,
        recipientIndex: index + offset,
        recipient: data.context && !contextOfExecution ? { ...recipient, context: data.context } : recipient,
        queuedAt,
        ...(data.xRequestId === undefined ? {} : { xRequestId: data.xRequestId }),
        ...(contextOfExecution ? { contextOfExecution: true as const } : {}),
      }),
    );
    if (jobs.length > 0) await queue.addBulk(jobs);
    index += jobs.length;
    await store.executions.recordFanOutProgress(data.sandbox, data.executionId, {
      cursor: page.nextCursor,
      targetedProfileCount: index,
    });
    if (page.nextCursor === null) break;
    cursor = page.nextCursor;
  }
  await store.executions.setStatus(data.sandbox, data.executionId, 'queued');
  logger.info({ audienceId: data.audienceId, targetedProfileCount: index }, 'audience fan-out complete');
  return { outcome: 'queued', targetedProfileCount: index };
}

/**
 * Moves the schedule to Triggered unless it was cancelled first. A retry of a job that already
 * triggered it finds it Triggered with this job's execution id, and carries on.
 */
async function triggerSchedule(data: FanOutJobData, scheduleId: string, store: Store): Promise<boolean> {
  if (await store.schedules.settle(data.sandbox, scheduleId, 'Triggered', data.executionId)) return true;
  const schedule = await store.schedules.get(data.sandbox, scheduleId);
  return schedule?.status === 'Triggered' && schedule.executionId === data.executionId;
}

/** The API records immediate executions; a schedule's is recorded when it fires. */
async function executionOf(data: FanOutJobData, store: Store): Promise<Execution> {
  const existing = await store.executions.get(data.sandbox, data.executionId);
  if (existing) return existing;
  return store.executions.create({
    id: data.executionId,
    sandbox: data.sandbox,
    kind: 'audience',
    campaignId: data.campaignId,
    campaignVersion: data.campaignVersion,
    requestId: data.scheduleId ?? data.executionId,
    recipientCount: 0,
    audienceId: data.audienceId,
    ...(data.context === undefined ? {} : { context: data.context }),
  });
}
