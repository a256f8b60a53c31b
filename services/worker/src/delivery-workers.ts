import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Channel, DeliveryJobData } from '@herald/contracts';
import { deliveryQueueName } from '@herald/contracts';
import type { Logger } from '@herald/logger';
import { deliveryBackoff } from '@herald/queues';
import type { DeliveryDeps } from './delivery-deps';
import { jobLogger } from './job-logger';
import { deliveryKey, processDelivery, type DeliveryOutcome } from './process-delivery';
import { HeldByBreaker, ProviderBreaker } from './provider-breaker';

/** BullMQ's reason for a job whose workers kept dying while processing it. */
const STALLED = /stalled more than allowable limit/;

export interface DeliveryWorkersOptions {
  /**
   * Identifies this worker process; BullMQ stores it on every job it takes (`processedBy`), so an
   * operator can tell which process sent, failed or holds a job.
   */
  name: string;
  channels: readonly Channel[];
  connection: Redis;
  prefix: string;
  concurrency: number;
  lockDurationMs: number;
  /** Provider account limit per channel, messages per second across all workers; 0 = none. */
  rateLimitPerSecond: Readonly<Record<Channel, number>>;
}

/**
 * One BullMQ worker per channel queue this process serves, each behind its provider's breaker
 * (provider-breaker.ts): while it is open, jobs go back to the queue without using an attempt.
 */
export function startDeliveryWorkers(
  options: DeliveryWorkersOptions,
  depsFor: (channel: Channel) => DeliveryDeps,
  logger: Logger,
): Worker<DeliveryJobData, DeliveryOutcome>[] {
  return options.channels.map((channel) => {
    const unwatched = depsFor(channel);
    const breaker = new ProviderBreaker(channel, unwatched.adapter.name, logger);
    const deps: DeliveryDeps = { ...unwatched, adapter: breaker.watch(unwatched.adapter) };
    const perSecond = options.rateLimitPerSecond[channel];
    /**
     * BullMQ (read in 6.7) moves a job failed with RateLimitError back to the head of the wait list
     * without counting an attempt (moveJobFromActiveToWait), and this worker takes no job until the
     * rate limit key set here expires; where the channel has a limiter, every worker of it waits.
     */
    const hold = async (waitMs: number): Promise<never> => {
      // Kept in 6.7 despite its deprecation note; it sets the same key as Queue#rateLimit.
      if (waitMs > 0) await worker.rateLimit(waitMs);
      throw Worker.RateLimitError();
    };
    const worker = new Worker<DeliveryJobData, DeliveryOutcome>(
      deliveryQueueName(channel),
      async (job, token) => {
        const admission = breaker.admit();
        if (admission.kind === 'hold') return hold(admission.waitMs);
        try {
          return await processDelivery(job, token, deps);
        } catch (error) {
          if (error instanceof HeldByBreaker) return hold(breaker.waitMs());
          throw error;
        } finally {
          if (admission.kind === 'probe') breaker.probeEnded();
        }
      },
      {
        name: options.name,
        connection: options.connection,
        prefix: options.prefix,
        concurrency: options.concurrency,
        lockDuration: options.lockDurationMs,
        // A job whose worker died is noticed within one lock duration and put back in the queue.
        stalledInterval: options.lockDurationMs,
        maxStalledCount: 3,
        // BullMQ keeps the limiter in Redis: every worker of the channel shares the provider's limit.
        ...(perSecond > 0 ? { limiter: { max: perSecond, duration: 1000 } } : {}),
        settings: {
          // Called for the custom DELIVERY_BACKOFF_TYPE of delivery jobs only.
          backoffStrategy: (attemptsMade, _type, error) => deliveryBackoff(attemptsMade, error),
        },
      },
    );
    worker.on('error', (error) => logger.error({ err: error.message, channel }, 'worker error'));
    worker.on('failed', (job, error) => {
      if (!job) return;
      const stalled = STALLED.test(error.message);
      if (stalled) {
        // The processor never finished, so nothing recorded the outcome: record it here.
        void deps.recorder
          .record(deliveryKey(job.data), {
            event: {
              status: 'failed',
              at: new Date().toISOString(),
              reason: 'stalled',
              detail: error.message,
            },
            attempts: job.attemptsMade,
            lastError: error.message,
          })
          .catch((storeError: unknown) =>
            jobLogger(logger, job).error({ err: storeError }, 'cannot record stall'),
          );
      }
      const permanent = error instanceof UnrecoverableError || error.name === 'UnrecoverableError';
      if (stalled || permanent || job.attemptsMade >= (job.opts.attempts ?? 1)) {
        jobLogger(logger, job).warn(
          { channel, err: error.message },
          'job moved to the failed set (dead letter)',
        );
      }
    });
    return worker;
  });
}
