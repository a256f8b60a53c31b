import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { FanOutJobData } from '@herald/contracts';
import { FANOUT_QUEUE } from '@herald/contracts';

/** The audience fan-out queue: the API adds one job per execution or schedule, the worker runs it. */
export type FanOutQueue = Queue<FanOutJobData, unknown, string>;

export function createFanOutQueue(connection: Redis, prefix: string): FanOutQueue {
  return new Queue<FanOutJobData, unknown, string>(FANOUT_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      // A fan-out resumes from its recorded cursor, so retrying one is always safe.
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 86_400 },
      removeOnFail: false,
    },
  });
}
