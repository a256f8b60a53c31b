import type { Channel } from './campaign';
import type { Recipient } from './execution';

/** Data of one delivery job: everything the worker needs, so it never reads the request again. */
export interface DeliveryJobData {
  executionId: string;
  deliveryId: string;
  sandbox: string;
  campaignId: string;
  campaignVersion: number;
  channel: Channel;
  recipientIndex: number;
  recipient: Recipient;
  queuedAt: string;
}

/**
 * Job id of one recipient of one execution: a re-added batch can never duplicate a job,
 * and it doubles as the delivery record id. BullMQ forbids ':' in custom ids.
 */
export function deliveryJobId(executionId: string, recipientIndex: number): string {
  return `${executionId}-r${recipientIndex}`;
}
