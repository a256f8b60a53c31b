import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Channel, FanOutJobData } from '@herald/contracts';
import { CHANNELS } from '@herald/contracts';
import type { Logger } from '@herald/logger';
import { createDeliveryQueue, type DeliveryQueue } from '@herald/queues';
import type { Store } from '@herald/store';
import { startFanOutWorker } from './fan-out-worker';
import type { FanOutOutcome } from './process-fan-out';

export interface FanOutRuntimeOptions {
  name: string;
  connection: Redis;
  prefix: string;
  lockDurationMs: number;
  maxAttempts: number;
  pageSize: number;
  /** QUEUE_MAX_WAITING (0: no bound). */
  maxWaiting: number;
}

/** How long a fan-out waits when a delivery queue is over its bound, before it looks again. */
const BACKPRESSURE_DELAY_MS = 5000;

export interface FanOutRuntime {
  worker: Worker<FanOutJobData, FanOutOutcome>;
  /** Stops taking fan-outs, lets the one in flight finish, then closes the delivery queues. */
  close(): Promise<void>;
}

/** The fan-out worker with the delivery queues it feeds. */
export function startFanOut(options: FanOutRuntimeOptions, store: Store, logger: Logger): FanOutRuntime {
  const deliveryQueues = Object.fromEntries(
    CHANNELS.map((channel) => {
      const queue = createDeliveryQueue(channel, {
        connection: options.connection,
        prefix: options.prefix,
        maxAttempts: options.maxAttempts,
      });
      queue.on('error', (error) => logger.warn({ err: error.message, channel }, 'delivery queue error'));
      return [channel, queue];
    }),
  ) as Record<Channel, DeliveryQueue>;
  const worker = startFanOutWorker(
    {
      name: options.name,
      connection: options.connection,
      prefix: options.prefix,
      lockDurationMs: options.lockDurationMs,
    },
    {
      store,
      deliveryQueues,
      pageSize: options.pageSize,
      maxWaiting: options.maxWaiting,
      backpressureDelayMs: BACKPRESSURE_DELAY_MS,
      logger,
    },
  );
  return {
    worker,
    close: async () => {
      await worker.close();
      await Promise.all(Object.values(deliveryQueues).map((queue) => queue.close()));
    },
  };
}
