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
  /** Set by the high-throughput endpoint: the worker must neither look up nor create a profile. */
  mode?: 'highthroughput';
  /**
   * The `x-request-id` of the API call that queued the delivery (directly or through a fan-out):
   * the worker names it on every log line about the job, so a caller's report can be followed.
   */
  xRequestId?: string;
  /**
   * Set by the worker when the campaign throttle reserved a later send time for this job and
   * delayed it: the job sends when it comes back instead of reserving again.
   */
  throttleSlotAt?: number;
  /**
   * Profile whose frequency-cap place this delivery holds, kept across deferrals so a later
   * attempt that excludes or fails the message gives the place back.
   */
  capHeldBy?: string;
  /** End of the quiet hours the job was deferred to: the 12 h throttle wait counts from then. */
  deferredUntil?: number;
  /**
   * Audience members: the recipient's context is the execution's, kept once in the store
   * (`executions.getContext`) rather than copied into every member's job.
   */
  contextOfExecution?: true;
}

/**
 * Job id of one recipient of one execution: a re-added batch can never duplicate a job,
 * and it doubles as the delivery record id. BullMQ forbids ':' in custom ids.
 */
export function deliveryJobId(executionId: string, recipientIndex: number): string {
  return `${executionId}-r${recipientIndex}`;
}

/** Data of one audience fan-out job: streams the audience into delivery jobs. */
export interface FanOutJobData {
  executionId: string;
  sandbox: string;
  campaignId: string;
  campaignVersion: number;
  audienceId: string;
  /** The call's global context, given to every recipient. */
  context?: Record<string, unknown>;
  /** Set on the delayed job of a schedule: the job fires only if it can settle the schedule. */
  scheduleId?: string;
  /** The `x-request-id` of the API call, passed on to every delivery job of the fan-out. */
  xRequestId?: string;
}

/** One fan-out job per execution or schedule, so a retried add never queues a second one. */
export function fanOutJobId(source: { executionId: string } | { scheduleId: string }): string {
  return 'executionId' in source ? `fanout-${source.executionId}` : `schedule-${source.scheduleId}`;
}
