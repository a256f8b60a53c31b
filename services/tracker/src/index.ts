import type { Server } from 'node:http';
import type { Express } from 'express';
import { loadConfig, type HeraldConfig } from '@herald/config';
import { createLogger, flushAndExit, installFatalHandlers, type Logger } from '@herald/logger';
import type { Redis } from 'ioredis';
import { connectRedis, createFeedbackWebhookQueue, FeedbackEmitter } from '@herald/queues';
import { openStore } from '@herald/store';
import { closeHttpServer, stopOnSignals } from '@herald/service-runtime';
import { TrackingTokens } from '@herald/tracking';
import { createTrackerApp } from './app';
import { EngagementThread } from './engagement-thread-client';
import { DEFAULT_WRITER_OPTIONS, EngagementWriter, type EngagementWriterOptions } from './engagement-writer';
import { Unsubscriber } from './unsubscriber';

/** Above the 60 s idle timeout of common load balancers, so the tracker never closes a connection first. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export interface TrackerRuntime {
  app: Express;
  /** Writes the events still waiting, then closes the store. Call after the server stopped. */
  close(): Promise<void>;
}

/** What tests change; production uses the defaults. */
export interface TrackerOptions {
  /** Milliseconds since the epoch. */
  now?: () => number;
  writer?: Partial<EngagementWriterOptions>;
  /** Writes events from a worker thread (the process does; tests in jest, running sources, do not). */
  writerThread?: boolean;
}

/** Wires the tracker from a config: the only place that knows every concrete dependency. */
export async function buildTracker(
  config: HeraldConfig,
  logger: Logger,
  options: TrackerOptions = {},
): Promise<TrackerRuntime> {
  // Throws, before anything is opened, when there is no key.
  const tokens = new TrackingTokens(config.tracking.keys);
  const storeOptions = { url: config.store.url, deliveryRetentionDays: config.store.deliveryRetentionDays };
  const store = await openStore(storeOptions);
  let redis: Redis;
  try {
    redis = await connectRedis(config.redis.url, {
      role: 'producer',
      connectionName: 'herald-tracker',
      logger,
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  const feedbackQueue = createFeedbackWebhookQueue(redis, config.redis.queuePrefix);
  feedbackQueue.on('error', (error) => logger.warn({ err: error.message }, 'feedback webhook queue error'));
  const feedback = new FeedbackEmitter(
    feedbackQueue,
    async (sandbox) => (await store.webhookSubscriptions.listEnabled(sandbox)).length > 0,
  );
  let thread: EngagementThread | undefined;
  try {
    thread = options.writerThread ? await EngagementThread.start(storeOptions, store.engagement) : undefined;
  } catch (error) {
    redis.disconnect();
    await store.close();
    throw error;
  }
  const writer = new EngagementWriter(
    thread ?? store.engagement,
    logger,
    { ...DEFAULT_WRITER_OPTIONS, ...options.writer },
    feedback,
  );
  const app = createTrackerApp({
    tokens,
    events: writer,
    mirrorPages: store.mirrorPages,
    shortLinks: store.shortLinks,
    unsubscriber: new Unsubscriber(store),
    readinessChecks: [{ name: 'store', check: () => store.ping() }],
    logger,
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    app,
    close: async () => {
      await writer.close();
      await thread?.close();
      await feedbackQueue.close();
      redis.disconnect();
      await store.close();
    },
  };
}

async function main(): Promise<void> {
  let config: HeraldConfig;
  try {
    config = loadConfig(process.env);
    if (config.tracking.keys.length === 0) {
      throw new Error(
        'TRACKING_KEYS is required: the keys (32+ characters, comma-separated) that the workers sign tracking links with.',
      );
    }
  } catch (error) {
    process.stderr.write(`herald tracker: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  const logger = createLogger({ level: config.log.level, service: 'tracker' });
  installFatalHandlers(logger);
  let runtime: TrackerRuntime;
  try {
    runtime = await buildTracker(config, logger, { writerThread: true });
  } catch (error) {
    logger.fatal({ err: error }, 'cannot start: are the store (STORE_URL) and Redis (REDIS_URL) reachable?');
    flushAndExit(logger, 1);
    return;
  }
  const { host, port } = config.tracker;
  // Express 5 hands a listen error (port taken, address not available) to this callback.
  const server: Server = runtime.app.listen(port, host, (error) => {
    if (error) {
      logger.fatal({ err: error, host, port }, `cannot listen on ${host}:${port}`);
      flushAndExit(logger, 1);
      return;
    }
    const address = server.address();
    logger.info(
      {
        host,
        port: typeof address === 'object' && address ? address.port : port,
        publicUrl: config.tracking.publicUrl,
        store: config.store.url.startsWith('mongodb') ? 'mongodb' : 'embedded',
      },
      'tracker listening',
    );
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // Never shorter than the idle wait, so that no other timer closes an idle connection first.
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1000;
  stopOnSignals(logger, {
    service: 'tracker',
    stopping: 'no new connections, writing the events still waiting',
    timedOut: 'exiting with events unwritten',
    timeoutMs: config.shutdownTimeoutMs,
    stop: async () => {
      await closeHttpServer(server);
      await runtime.close();
    },
  });
}

if (require.main === module) void main();
