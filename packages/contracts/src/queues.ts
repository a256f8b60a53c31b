import type { Channel } from './campaign';

/** Queue names, in one place so operators can run and scale workers per queue. */
export const QUEUE_NAMES = {
  email: 'deliver-email',
  sms: 'deliver-sms',
  push: 'deliver-push',
} as const satisfies Record<Channel, string>;

export type QueueName = (typeof QUEUE_NAMES)[Channel];

export function deliveryQueueName(channel: Channel): QueueName {
  return QUEUE_NAMES[channel];
}

/** Queue of audience fan-out jobs: one job per audience execution, immediate or scheduled. */
export const FANOUT_QUEUE = 'audience-fanout';
