import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Channel, DeliveryJobData } from '@herald/contracts';
import { deliveryQueueName } from '@herald/contracts';
import { DELIVERY_BACKOFF_TYPE, DELIVERY_RETRY_SCHEDULE_MS } from './delivery-backoff';

export type DeliveryQueue = Queue<DeliveryJobData, unknown, string>;

export interface DeliveryQueueOptions {
  connection: Redis;
  prefix: string;
  maxAttempts: number;
}

/**
 * Default options of every delivery job: retries on `DELIVERY_RETRY_SCHEDULE_MS` (1 s, 5 s, 5 min,
 * then hourly: the default 5 attempts span over an hour) that honour the provider's Retry-After
 * (resolved by the worker's `deliveryBackoff`), failures kept.
 */
export function deliveryJobOptions(maxAttempts: number): JobsOptions {
  return {
    attempts: maxAttempts,
    // The custom type's delay is not read (the worker's strategy follows the schedule): the first wait.
    backoff: { type: DELIVERY_BACKOFF_TYPE, delay: DELIVERY_RETRY_SCHEDULE_MS[0] },
    // Completed jobs are recorded in the store; keep a few for Bull Board, drop the rest.
    removeOnComplete: { age: 3600, count: 10_000 },
    // Failed jobs are the dead letter: kept until replayed or removed by an operator.
    removeOnFail: false,
  };
}

export function createDeliveryQueue(channel: Channel, options: DeliveryQueueOptions): DeliveryQueue {
  return new Queue<DeliveryJobData, unknown, string>(deliveryQueueName(channel), {
    connection: options.connection,
    prefix: options.prefix,
    defaultJobOptions: deliveryJobOptions(options.maxAttempts),
  });
}
