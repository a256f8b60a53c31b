import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { FanOutJobData } from '@herald/contracts';
import { FANOUT_QUEUE } from '@herald/contracts';
import { jobLogger } from '../job-logger';
import { processFanOut, type FanOutDeps, type FanOutOutcome } from './process-fan-out';

export interface FanOutWorkerOptions {
  /** The worker process's name, kept by BullMQ on each job it takes (`processedBy`). */
  name: string;
  connection: Redis;
  prefix: string;
  lockDurationMs: number;
}

/** BullMQ's reason for a job whose workers kept dying while processing it. */
const STALLED = /stalled more than allowable limit/;

/**
 * The worker of the fan-out queue. One fan-out at a time per process: each one already feeds
 * the delivery queues as fast as Redis takes bulk adds.
 */
export function startFanOutWorker(
  options: FanOutWorkerOptions,
  deps: FanOutDeps,
): Worker<FanOutJobData, FanOutOutcome> {
  const worker = new Worker<FanOutJobData, FanOutOutcome>(
    FANOUT_QUEUE,
    (job, token) => processFanOut(job, deps, token),
    {
      name: options.name,
      connection: options.connection,
      prefix: options.prefix,
      concurrency: 1,
      lockDuration: options.lockDurationMs,
      // A fan-out whose worker died is noticed within one lock duration and resumed elsewhere.
      stalledInterval: options.lockDurationMs,
      maxStalledCount: 3,
    },
  );
  worker.on('error', (error) => deps.logger.error({ err: error.message }, 'fan-out worker error'));
  worker.on('failed', (job, error) => {
    if (!job) return;
    const final = STALLED.test(error.message) || job.attemptsMade >= (job.opts.attempts ?? 1);
    if (!final) return;
    const logger = jobLogger(deps.logger, job);
    logger.warn({ err: error.message }, 'audience fan-out failed');
    void deps.store.executions
      .setStatus(job.data.sandbox, job.data.executionId, 'failed', error.message)
      .catch((storeError: unknown) => logger.error({ err: storeError }, 'cannot mark fan-out failed'));
  });
  return worker;
}
