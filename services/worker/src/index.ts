import type { Redis } from 'ioredis';
import type { Worker } from 'bullmq';
import { OutboxAdapter } from '@herald/channels';
import { loadConfig, type HeraldConfig } from '@herald/config';
import { HeraldError } from '@herald/errors';
import { createLogger, flushAndExit, type Logger } from '@herald/logger';
import { connectRedis } from '@herald/queues';
import { openStore } from '@herald/store';
import { TemplateEngine } from '@herald/templating';
import { CampaignVersions } from '@herald/store';
import { startDeliveryWorkers } from './delivery-workers';
import { startFanOut } from './fan-out/fan-out-runtime';

export interface WorkerRuntime {
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
  const outbox = new OutboxAdapter(config.outbox.dir);
  const campaigns = new CampaignVersions(store);
  const templates = new TemplateEngine();
  const workers = startDeliveryWorkers(
    {
      channels: config.worker.queues,
      connection: redis,
      prefix: config.redis.queuePrefix,
      concurrency: config.worker.concurrency,
      lockDurationMs: config.worker.lockDurationMs,
    },
    // The outbox serves every channel; provider adapters will be chosen per channel here.
    () => ({ store, campaigns, templates, adapter: outbox, logger }),
    logger,
  );
  const fanOut = config.worker.fanOut
    ? startFanOut(
        {
          connection: redis,
          prefix: config.redis.queuePrefix,
          lockDurationMs: config.worker.lockDurationMs,
          maxAttempts: config.worker.maxAttempts,
          pageSize: config.worker.fanOutPageSize,
        },
        store,
        logger,
      )
    : undefined;
  return {
    workers: fanOut ? [...workers, fanOut.worker] : workers,
    close: async () => {
      await Promise.all([...workers.map((worker) => worker.close()), fanOut?.close()]);
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
  let runtime: WorkerRuntime;
  try {
    runtime = await buildWorker(config, logger);
  } catch (error) {
    logger.fatal({ err: error }, 'cannot start: is Redis reachable at REDIS_URL and the store at STORE_URL?');
    flushAndExit(logger, 1);
    return;
  }
  logger.info(
    {
      queues: runtime.workers.map((worker) => worker.name),
      concurrency: config.worker.concurrency,
      outbox: config.outbox.dir,
    },
    'worker ready',
  );
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'worker shutting down: taking no new jobs, finishing jobs in flight');
    const force = setTimeout(() => {
      // Jobs still running are not lost: their locks expire and another worker takes them.
      logger.error('shutdown timed out; exiting with jobs in flight');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    runtime
      .close()
      .then(() => {
        logger.info('worker stopped');
        flushAndExit(logger, 0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'error while closing');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

if (require.main === module) void main();
