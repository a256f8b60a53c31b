import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Worker } from 'bullmq';
import { loadConfig, type HeraldConfig } from '@herald/config';
import { HeraldError } from '@herald/errors';
import { createLogger, flushAndExit, installFatalHandlers, type Logger } from '@herald/logger';
import { connectRedis, createFeedbackWebhookQueue, DeliveryCounters } from '@herald/queues';
import { openStore } from '@herald/store';
import { TemplateEngine } from '@herald/templating';
import { TrackingTokens } from '@herald/tracking';
import { stopOnSignals } from '@herald/service-runtime';
import { CampaignVersions } from '@herald/store';
import { createChannelAdapters } from './channel-adapters';
import { DEFAULT_RECORDER_OPTIONS, DeliveryRecorder } from './delivery-recorder';
import { EmailTracking } from './email-tracking';
import { SmsTracking } from './sms-tracking';
import { ExecutionContexts } from './execution-contexts';
import { ProfileCreator } from './profile-creator';
import { startDeliveryWorkers } from './delivery-workers';
import { CampaignThrottle } from './policy/campaign-throttle';
import { DeliveryPolicy } from './policy/delivery-policy';
import { FrequencyCaps } from './policy/frequency-cap';
import { startFanOut } from './fan-out/fan-out-runtime';
import { startFeedbackWebhooks } from './feedback-webhooks/feedback-webhooks-runtime';

/** How stale a campaign's status or a sandbox's policy may be on a worker: a stop takes effect within it. */
const POLICY_CACHE_TTL_MS = 2000;

export interface WorkerRuntime {
  /** What BullMQ records as `processedBy` on the jobs this process takes. */
  name: string;
  workers: Worker[];
  /** Stops taking jobs, waits for the ones in flight, then closes connections. */
  close(): Promise<void>;
}

/** Wires the worker from a config: the only place that knows every concrete dependency. */
export async function buildWorker(config: HeraldConfig, logger: Logger): Promise<WorkerRuntime> {
  const store = await openStore({
    url: config.store.url,
    deliveryRetentionDays: config.store.deliveryRetentionDays,
  });
  let redis: Redis;
  try {
    redis = await connectRedis(config.redis.url, { role: 'worker', connectionName: 'herald-worker', logger });
  } catch (error) {
    await store.close();
    throw error;
  }
  const prefix = config.redis.queuePrefix;
  const adapters = createChannelAdapters(config);
  const counters = new DeliveryCounters(redis, prefix);
  // Every worker emits the outcomes of campaigns with feedback webhooks, whether or not it posts them.
  const feedbackQueue = createFeedbackWebhookQueue(redis, prefix);
  feedbackQueue.on('error', (error) => logger.warn({ err: error.message }, 'feedback webhook queue error'));
  const recorder = new DeliveryRecorder(store, counters, logger, {
    ...DEFAULT_RECORDER_OPTIONS,
    feedback: feedbackQueue,
  });
  const tracker =
    config.tracking.keys.length > 0
      ? { tokens: new TrackingTokens(config.tracking.keys), baseUrl: config.tracking.publicUrl }
      : undefined;
  const shared = {
    store,
    emailTracking: new EmailTracking(tracker, store.mirrorPages),
    smsTracking: new SmsTracking(tracker, store.shortLinks),
    executionContexts: new ExecutionContexts(store.executions),
    campaigns: new CampaignVersions(store),
    templates: new TemplateEngine(),
    recorder,
    profileCreator: new ProfileCreator(store),
    counters,
    policy: new DeliveryPolicy(store, new FrequencyCaps(redis, prefix), { cacheTtlMs: POLICY_CACHE_TTL_MS }),
    throttle: new CampaignThrottle(redis, prefix),
    logger,
  };
  // Unique among the processes sharing a Redis: the host names the machine (or pod), the pid the process.
  const name = `${hostname()}:${process.pid}`;
  const workers = startDeliveryWorkers(
    {
      name,
      channels: config.worker.queues,
      connection: redis,
      prefix,
      concurrency: config.worker.concurrency,
      lockDurationMs: config.worker.lockDurationMs,
      rateLimitPerSecond: config.providers.rateLimitPerSecond,
    },
    (channel) => ({ ...shared, adapter: adapters.forChannel(channel) }),
    logger,
  );
  const fanOut = config.worker.fanOut
    ? startFanOut(
        {
          name,
          connection: redis,
          prefix: config.redis.queuePrefix,
          lockDurationMs: config.worker.lockDurationMs,
          maxAttempts: config.worker.maxAttempts,
          pageSize: config.worker.fanOutPageSize,
          maxWaiting: config.api.queueMaxWaiting,
        },
        store,
        logger,
      )
    : undefined;
  const feedbackWebhooks = config.worker.feedbackWebhooks
    ? startFeedbackWebhooks(
        {
          name,
          connection: redis,
          prefix,
          lockDurationMs: config.worker.lockDurationMs,
          imsOrg: config.auth.orgId,
          allowPrivateUrls: config.allowPrivateUrls,
        },
        store,
        logger,
      )
    : undefined;
  return {
    name,
    workers: [
      ...workers,
      ...(fanOut ? [fanOut.worker] : []),
      ...(feedbackWebhooks ? [feedbackWebhooks.worker] : []),
    ],
    close: async () => {
      await Promise.all([
        ...workers.map((worker) => worker.close()),
        fanOut?.close(),
        feedbackWebhooks?.close(),
      ]);
      await recorder.drain();
      await feedbackQueue.close();
      await adapters.close();
      redis.disconnect();
      await store.close();
    },
  };
}

async function main(): Promise<void> {
  let config: HeraldConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    process.stderr.write(`herald worker: ${error instanceof HeraldError ? error.message : String(error)}\n`);
    process.exit(1);
  }
  const logger = createLogger({ level: config.log.level, service: 'worker' });
  installFatalHandlers(logger);
  let runtime: WorkerRuntime;
  try {
    runtime = await buildWorker(config, logger);
  } catch (error) {
    logger.fatal({ err: error }, 'cannot start: is Redis reachable at REDIS_URL and the store at STORE_URL?');
    flushAndExit(logger, 1);
    return;
  }
  stopOnSignals(logger, {
    service: 'worker',
    stopping: 'taking no new jobs, finishing jobs in flight',
    // Jobs still running are not lost: their locks expire and another worker takes them.
    timedOut: 'exiting with jobs in flight',
    timeoutMs: config.shutdownTimeoutMs,
    stop: () => runtime.close(),
  });
  // Only now: a supervisor that stops the worker as soon as it is ready must find the handlers in place.
  logger.info(
    {
      workerName: runtime.name,
      queues: runtime.workers.map((worker) => worker.name),
      concurrency: config.worker.concurrency,
      providers: {
        email: config.providers.email.kind,
        sms: config.providers.sms.kind,
        push: config.providers.push.kind,
      },
      outbox: config.outbox.dir,
    },
    'worker ready',
  );
}

if (require.main === module) void main();
