import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { FeedbackEvent, WebhookEvent } from '@herald/contracts';
import { FEEDBACK_WEBHOOK_QUEUE } from '@herald/contracts';

/** An event to post: the worker finds the subscriptions that want it and queues one call each. */
export interface FeedbackEventJobData {
  event: FeedbackEvent;
}

/** One event posted to one subscription: retried on its own, so one failing endpoint delays no other. */
export interface WebhookCallJobData {
  sandbox: string;
  subscriptionId: string;
  event: WebhookEvent;
  /** Epoch milliseconds after which a failed call is not retried: 24 h after it was queued. */
  retryUntil: number;
  /** Asked for by hand (a test or a replay): posted even while the subscription is disabled. */
  manual?: true;
}

export type FeedbackWebhookJobName = 'event' | 'call';
export type FeedbackWebhookJobData = FeedbackEventJobData | WebhookCallJobData;
export type FeedbackWebhookQueue = Queue<FeedbackWebhookJobData, unknown, FeedbackWebhookJobName>;

/** How long a call is retried after it was queued (Standard Webhooks senders retry for about a day). */
export const WEBHOOK_RETRY_WINDOW_MS = 24 * 3600 * 1000;
/** Backoff type of call jobs; the worker resolves it with `webhookCallBackoff`. */
export const WEBHOOK_CALL_BACKOFF_TYPE = 'webhook-call';
export const WEBHOOK_CALL_BACKOFF_BASE_MS = 30_000;
const WEBHOOK_CALL_MAX_BACKOFF_MS = 4 * 3600 * 1000;
/** A bound the retry window reaches first (about 15 calls fit in 24 h); it only guards against a runaway. */
const WEBHOOK_CALL_MAX_ATTEMPTS = 50;

/**
 * The delay before retry `attemptsMade` (1 after the first failure): 30 s doubling up to 4 h,
 * so an endpoint down for a day gets about 15 calls per event.
 */
export function webhookCallBackoff(attemptsMade: number, baseMs = WEBHOOK_CALL_BACKOFF_BASE_MS): number {
  return Math.min(WEBHOOK_CALL_MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attemptsMade - 1));
}

const EVENT_JOB_OPTIONS: JobsOptions = {
  // The fan-out only reads the store and adds jobs, idempotently: retrying it is always safe.
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
};

export function createFeedbackWebhookQueue(connection: Redis, prefix: string): FeedbackWebhookQueue {
  return new Queue<FeedbackWebhookJobData, unknown, FeedbackWebhookJobName>(FEEDBACK_WEBHOOK_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      // The store's delivery log is the record: Redis keeps no finished job, and failed ones a week.
      removeOnComplete: true,
      removeOnFail: { age: 7 * 86_400 },
    },
  });
}

/** BullMQ forbids ':' in custom job ids; event ids (`<deliveryId>:<kind>`) have one. */
function idPart(value: string): string {
  return encodeURIComponent(value);
}

export function feedbackEventJobId(eventId: string): string {
  return `event-${idPart(eventId)}`;
}

/**
 * Queues a feedback event for the sandbox's webhook subscriptions. Idempotent by `event.id`
 * while the job is in Redis, and the delivery log posts an event to a subscription once at most.
 * Cheap when nobody subscribes, but a caller that knows the campaign's `enableWebhooks` is off
 * may skip the call.
 */
export async function emitFeedback(queue: FeedbackWebhookQueue, event: FeedbackEvent): Promise<void> {
  await queue.add('event', { event }, { ...EVENT_JOB_OPTIONS, jobId: feedbackEventJobId(event.id) });
}

/** `emitFeedback` for many events, in one round trip. */
export async function emitFeedbackMany(
  queue: FeedbackWebhookQueue,
  events: readonly FeedbackEvent[],
): Promise<void> {
  if (events.length === 0) return;
  await queue.addBulk(
    events.map((event) => ({
      name: 'event' as const,
      data: { event },
      opts: { ...EVENT_JOB_OPTIONS, jobId: feedbackEventJobId(event.id) },
    })),
  );
}

export interface WebhookCallJob {
  name: 'call';
  data: WebhookCallJobData;
  opts: JobsOptions;
}

/**
 * The job posting `event` to one subscription. Its id derives from (event, subscription), so a
 * fan-out run twice queues one call; a replay adds its `replay` number (the log's attempts so
 * far), so it never collides with the call it replays.
 */
export function webhookCallJob(input: {
  sandbox: string;
  subscriptionId: string;
  event: WebhookEvent;
  now: number;
  manual?: boolean;
  replay?: number;
}): WebhookCallJob {
  const base = `call-${idPart(input.event.id)}-${input.subscriptionId}`;
  const data: WebhookCallJobData = {
    sandbox: input.sandbox,
    subscriptionId: input.subscriptionId,
    event: input.event,
    retryUntil: input.now + WEBHOOK_RETRY_WINDOW_MS,
  };
  if (input.manual) data.manual = true;
  return {
    name: 'call',
    data,
    opts: {
      jobId: input.replay === undefined ? base : `${base}-replay-${input.replay}`,
      attempts: WEBHOOK_CALL_MAX_ATTEMPTS,
      backoff: { type: WEBHOOK_CALL_BACKOFF_TYPE, delay: WEBHOOK_CALL_BACKOFF_BASE_MS },
    },
  };
}
