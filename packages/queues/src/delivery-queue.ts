import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Channel, DeliveryJobData } from '@herald/contracts';
import { deliveryQueueName } from '@herald/contracts';

export type DeliveryQueue = Queue<DeliveryJobData, unknown, string>;

export interface DeliveryQueueOptions {
  connection: Redis;
  prefix: string;
  maxAttempts: number;
}

/** Default options of every delivery job: retries with exponential backoff, failures kept. */
export function deliveryJobOptions(maxAttempts: number): JobsOptions {
  return {
    attempts: maxAttempts,
    backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
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
