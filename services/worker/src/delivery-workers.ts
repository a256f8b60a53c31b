import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Channel, DeliveryJobData } from '@herald/contracts';
import { deliveryQueueName } from '@herald/contracts';
import type { Logger } from '@herald/logger';
import { deliveryKey, processDelivery, type DeliveryDeps, type DeliveryOutcome } from './process-delivery';

/** BullMQ's reason for a job whose workers kept dying while processing it. */
const STALLED = /stalled more than allowable limit/;

export interface DeliveryWorkersOptions {
  channels: readonly Channel[];
  connection: Redis;
  prefix: string;
  concurrency: number;
  lockDurationMs: number;
}

/** One BullMQ worker per channel queue this process serves. */
export function startDeliveryWorkers(
  options: DeliveryWorkersOptions,
  depsFor: (channel: Channel) => DeliveryDeps | undefined,
  logger: Logger,
): Worker<DeliveryJobData, DeliveryOutcome>[] {
  return options.channels.flatMap((channel) => {
    const deps = depsFor(channel);
    if (!deps) {
      logger.info({ channel }, 'no adapter for this channel yet; its queue is not served');
      return [];
    }
    const worker = new Worker<DeliveryJobData, DeliveryOutcome>(
      deliveryQueueName(channel),
      (job) => processDelivery(job, deps),
      {
        connection: options.connection,
        prefix: options.prefix,
        concurrency: options.concurrency,
        lockDuration: options.lockDurationMs,
        // A job whose worker died is noticed within one lock duration and put back in the queue.
        stalledInterval: options.lockDurationMs,
        maxStalledCount: 3,
      },
    );
    worker.on('error', (error) => logger.error({ err: error.message, channel }, 'worker error'));
    worker.on('failed', (job, error) => {
      if (!job) return;
      const stalled = STALLED.test(error.message);
      if (stalled) {
        // The processor never finished, so nothing recorded the outcome: record it here.
        void deps.store.deliveries
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
            logger.error({ err: storeError, jobId: job.id }, 'cannot record stall'),
          );
      }
      if (stalled || job.attemptsMade >= (job.opts.attempts ?? 1)) {
        logger.warn(
          { jobId: job.id, channel, err: error.message },
          'job moved to the failed set (dead letter)',
        );
      }
    });
    return [worker];
  });
}
