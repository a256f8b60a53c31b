import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { FEEDBACK_WEBHOOK_QUEUE } from '@herald/contracts';
import type { Logger } from '@herald/logger';
import {
  createFeedbackWebhookQueue,
  WEBHOOK_CALL_BACKOFF_BASE_MS,
  WEBHOOK_CALL_BACKOFF_TYPE,
  webhookCallBackoff,
  type FeedbackWebhookJobData,
  type WebhookCallJobData,
} from '@herald/queues';
import type { Store } from '@herald/store';
import { processWebhookJob, type WebhookJobOutcome } from './process-webhook-jobs';
import { WebhookClient } from './webhook-client';
import { WebhookReads } from './webhook-reads';

/** Calls wait on customers' endpoints (up to the timeout each), not on this process's CPU. */
const DEFAULT_CONCURRENCY = 50;
/** Standard Webhooks receivers are asked to answer fast; a slow one is retried later. */
const DEFAULT_TIMEOUT_MS = 10_000;
/** How stale a subscription list or a campaign's `enableWebhooks` may be on a worker. */
const DEFAULT_CACHE_TTL_MS = 5000;

/** BullMQ's reason for a job whose workers kept dying while processing it. */
const STALLED = /stalled more than allowable limit/;

export interface FeedbackWebhooksOptions {
  /** The worker process's name, kept by BullMQ on each job it takes (`processedBy`). */
  name: string;
  connection: Redis;
  prefix: string;
  lockDurationMs: number;
  /** AJO's `imsOrg` in every body: `HERALD_ORG_ID`. */
  imsOrg: string;
  allowPrivateUrls: boolean;
  concurrency?: number;
  timeoutMs?: number;
  cacheTtlMs?: number;
  /** Extra trusted certificate authorities (PEM): tests only, for a receiver's self-signed certificate. */
  ca?: string;
  /** First retry delay of a call; tests shorten it. */
  backoffBaseMs?: number;
  /** Epoch milliseconds; tests move time. */
  now?: () => number;
}

export interface FeedbackWebhooksRuntime {
  worker: Worker<FeedbackWebhookJobData, WebhookJobOutcome>;
  /** Stops taking jobs, lets the calls in flight finish, then closes the queue and connections. */
  close(): Promise<void>;
}

/** The worker of the feedback webhook queue: event fan-outs and signed calls to customers. */
export function startFeedbackWebhooks(
  options: FeedbackWebhooksOptions,
  store: Store,
  logger: Logger,
): FeedbackWebhooksRuntime {
  const queue = createFeedbackWebhookQueue(options.connection, options.prefix);
  queue.on('error', (error) => logger.warn({ err: error.message }, 'feedback webhook queue error'));
  const client = new WebhookClient({
    allowPrivateUrls: options.allowPrivateUrls,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(options.ca ? { ca: options.ca } : {}),
  });
  const backoffBaseMs = options.backoffBaseMs ?? WEBHOOK_CALL_BACKOFF_BASE_MS;
  const deps = {
    store,
    reads: new WebhookReads(store, options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS),
    queue,
    client,
    imsOrg: options.imsOrg,
    backoffBaseMs,
    now: options.now ?? Date.now,
    logger,
  };
  const worker = new Worker<FeedbackWebhookJobData, WebhookJobOutcome>(
    FEEDBACK_WEBHOOK_QUEUE,
    (job) => processWebhookJob(job, deps),
    {
      name: options.name,
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
      lockDuration: options.lockDurationMs,
      stalledInterval: options.lockDurationMs,
      maxStalledCount: 3,
      settings: {
        // Called for the call jobs' custom backoff type only; event jobs back off exponentially.
        backoffStrategy: (attemptsMade, type) =>
          type === WEBHOOK_CALL_BACKOFF_TYPE ? webhookCallBackoff(attemptsMade, backoffBaseMs) : -1,
      },
    },
  );
  worker.on('error', (error) => logger.error({ err: error.message }, 'feedback webhook worker error'));
  worker.on('failed', (job, error) => {
    if (!job) return;
    const stalled = STALLED.test(error.message);
    const final =
      stalled || error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    if (!final) return;
    const { event } = job.data;
    logger.warn(
      { jobId: job.id, sandbox: event.sandbox, eventId: event.id, kind: job.name, err: error.message },
      'feedback webhook job gave up',
    );
    if (stalled && job.name === 'call') {
      // The processor never finished, so nothing logged the outcome: log it here.
      const { sandbox, subscriptionId } = job.data as WebhookCallJobData;
      void store.webhookDeliveries
        .recordAttempt(sandbox, subscriptionId, event.id, {
          status: 'failed',
          error: error.message,
          at: new Date(deps.now()).toISOString(),
        })
        .catch((storeError: unknown) =>
          logger.error({ err: storeError }, 'cannot log a stalled webhook call'),
        );
    }
  });
  return {
    worker,
    close: async () => {
      await worker.close();
      await queue.close();
      client.close();
    },
  };
}
