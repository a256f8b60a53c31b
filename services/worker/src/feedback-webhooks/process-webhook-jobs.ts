import { UnrecoverableError, type Job } from 'bullmq';
import type { FeedbackEvent } from '@herald/contracts';
import type { Logger } from '@herald/logger';
import {
  webhookCallBackoff,
  webhookCallJob,
  type FeedbackEventJobData,
  type FeedbackWebhookJobData,
  type FeedbackWebhookQueue,
  type WebhookCallJobData,
} from '@herald/queues';
import type { Store, WebhookSubscriptionWithSecrets } from '@herald/store';
import { webhookBody } from './webhook-body';
import { WebhookCallError, type WebhookClient } from './webhook-client';
import type { WebhookReads } from './webhook-reads';
import { signatureHeaders } from './webhook-signature';

/** A subscription whose calls have all failed for this long is turned off, with the reason. */
export const DISABLE_AFTER_FAILING_MS = 3 * 24 * 3600 * 1000;

export interface WebhookJobDeps {
  store: Store;
  reads: WebhookReads;
  /** Where the fan-out adds one call job per subscription. */
  queue: FeedbackWebhookQueue;
  client: WebhookClient;
  /** AJO's `imsOrg` in every body: `HERALD_ORG_ID`. */
  imsOrg: string;
  /** First retry delay of a call (it doubles from there); what the worker's backoff uses too. */
  backoffBaseMs: number;
  /** Epoch milliseconds; injected so tests can move time. */
  now: () => number;
  logger: Logger;
}

/** Named `event` or `call` (`FeedbackWebhookJobName`); typed `string` as BullMQ's workers are. */
export type WebhookJob = Job<FeedbackWebhookJobData, unknown, string>;

export type WebhookJobOutcome = { queued: number } | { status: number } | { skipped: string };

export async function processWebhookJob(job: WebhookJob, deps: WebhookJobDeps): Promise<WebhookJobOutcome> {
  if (job.name === 'event') return fanOut((job.data as FeedbackEventJobData).event, deps);
  return call(job, job.data as WebhookCallJobData, deps);
}

/**
 * Logs the event as pending for every enabled subscription of the sandbox that wants its type,
 * when its campaign posts webhooks, and queues one call each. Run again (a retried job, the same
 * event emitted twice), it queues nothing the log shows was already called.
 */
async function fanOut(event: FeedbackEvent, deps: WebhookJobDeps): Promise<WebhookJobOutcome> {
  const subscriptions = (await deps.reads.enabledSubscriptions(event.sandbox)).filter((subscription) =>
    subscription.events.includes(event.type),
  );
  if (subscriptions.length === 0) return { queued: 0 };
  const campaign = await deps.reads.campaign(event.sandbox, event.campaignId);
  if (!campaign?.enableWebhooks) return { queued: 0 };
  const now = deps.now();
  const at = new Date(now).toISOString();
  const jobs = [];
  for (const subscription of subscriptions) {
    const logged = await deps.store.webhookDeliveries.recordQueued(event.sandbox, subscription.id, event, at);
    // Pending and never called: queued by a run that died before adding its job, or being added
    // now (the job id makes the add a no-op then).
    if (logged.status === 'pending' && logged.attempts === 0) {
      jobs.push(webhookCallJob({ sandbox: event.sandbox, subscriptionId: subscription.id, event, now }));
    }
  }
  if (jobs.length > 0) await deps.queue.addBulk(jobs);
  return { queued: jobs.length };
}

/**
 * One signed POST of one event to one subscription, logged. A failure is retried (BullMQ, with
 * `webhookCallBackoff`) while the next try still falls within the call's 24 h; a URL Herald may
 * not call is not retried. Any failure marks the subscription failing; one failing for 3 days
 * is disabled.
 */
async function call(
  job: WebhookJob,
  data: WebhookCallJobData,
  deps: WebhookJobDeps,
): Promise<WebhookJobOutcome> {
  const { sandbox, subscriptionId, event } = data;
  const subscription = await deps.reads.subscription(sandbox, subscriptionId, data.manual === true);
  // Deleted since: its log went with it.
  if (!subscription) return { skipped: 'subscription-deleted' };
  if (!subscription.enabled && !data.manual) {
    await deps.store.webhookDeliveries.recordAttempt(sandbox, subscriptionId, event.id, {
      status: 'failed',
      error: 'not posted: the subscription is disabled',
      at: new Date(deps.now()).toISOString(),
      skipped: true,
    });
    return { skipped: 'subscription-disabled' };
  }
  const messageType =
    event.type === 'webhook.test'
      ? undefined
      : (await deps.reads.campaign(sandbox, event.campaignId))?.messageType;
  const body = JSON.stringify(
    webhookBody(event, { imsOrg: deps.imsOrg, subscriptionId, ...(messageType ? { messageType } : {}) }),
  );
  const headers = signatureHeaders(event.id, new Date(deps.now()), body, subscription);
  let failure: { error: string; statusCode?: number; responseTimeMs?: number; permanent: boolean };
  try {
    const answer = await deps.client.post(subscription.url, body, headers);
    if (answer.statusCode >= 200 && answer.statusCode < 300) {
      await deps.store.webhookDeliveries.recordAttempt(sandbox, subscriptionId, event.id, {
        status: 'delivered',
        statusCode: answer.statusCode,
        responseTimeMs: answer.responseTimeMs,
        at: new Date(deps.now()).toISOString(),
      });
      await deps.store.webhookSubscriptions.markSucceeded(sandbox, subscriptionId);
      return { status: answer.statusCode };
    }
    const redirect =
      answer.statusCode >= 300 && answer.statusCode < 400 ? ' (redirects are not followed)' : '';
    failure = {
      error: `HTTP ${answer.statusCode}${redirect}`,
      statusCode: answer.statusCode,
      responseTimeMs: answer.responseTimeMs,
      permanent: false,
    };
  } catch (error) {
    if (!(error instanceof WebhookCallError)) throw error;
    failure = {
      error: error.message,
      ...(error.responseTimeMs === undefined ? {} : { responseTimeMs: error.responseTimeMs }),
      permanent: error.permanent,
    };
  }
  // Read after the call: it may have waited out the whole timeout.
  const now = deps.now();
  const attemptsMade = job.attemptsMade + 1;
  const retryAt = now + webhookCallBackoff(attemptsMade, deps.backoffBaseMs);
  const disabled = await disableIfFailingTooLong(subscription, now, failure.error, deps);
  const final =
    failure.permanent ||
    retryAt > data.retryUntil ||
    attemptsMade >= (job.opts.attempts ?? 1) ||
    (disabled && !data.manual);
  await deps.store.webhookDeliveries.recordAttempt(sandbox, subscriptionId, event.id, {
    status: final ? 'failed' : 'pending',
    error: failure.error,
    ...(failure.statusCode === undefined ? {} : { statusCode: failure.statusCode }),
    ...(failure.responseTimeMs === undefined ? {} : { responseTimeMs: failure.responseTimeMs }),
    at: new Date(now).toISOString(),
  });
  const message = `webhook call failed: ${failure.error}`;
  throw final ? new UnrecoverableError(message) : new Error(message);
}

/** Marks the subscription failing from now unless it already was; turns it off after 3 days. */
async function disableIfFailingTooLong(
  subscription: WebhookSubscriptionWithSecrets,
  now: number,
  error: string,
  deps: WebhookJobDeps,
): Promise<boolean> {
  const { sandbox, id } = subscription;
  const failingSince = await deps.store.webhookSubscriptions.markFailing(
    sandbox,
    id,
    new Date(now).toISOString(),
  );
  if (failingSince === null || now - Date.parse(failingSince) < DISABLE_AFTER_FAILING_MS) return false;
  const reason = `Disabled by Herald: every call has failed since ${failingSince} (last: ${error}).`;
  if (await deps.store.webhookSubscriptions.disable(sandbox, id, reason, new Date(now).toISOString())) {
    deps.reads.forgetSubscriptions(sandbox);
    deps.logger.warn(
      { sandbox, subscriptionId: id, failingSince },
      'webhook subscription disabled: failing for 3 days',
    );
  }
  return true;
}
