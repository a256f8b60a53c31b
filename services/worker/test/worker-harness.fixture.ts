import type { Redis } from 'ioredis';
import { loadConfig } from '@herald/config';
import {
  deliveryJobId,
  newId,
  type CampaignDefinition,
  type CampaignVersion,
  type Channel,
  type Delivery,
  type DeliveryJobData,
  type Recipient,
} from '@herald/contracts';
import { createLogger } from '@herald/logger';
import { connectRedis, createDeliveryQueue, type DeliveryQueue } from '@herald/queues';
import { openStore, type Store } from '@herald/store';
import { createTempDir, testRedisUrl, uniqueQueuePrefix, waitFor, type TempDir } from '@herald/testing';
import { buildWorker, type WorkerRuntime } from '../src/index';

/**
 * A real worker (in this process, so tests can read its effects without process start-up costs)
 * on the shared Redis under a unique prefix and a private embedded store; jobs are added the way
 * the ingest API adds them.
 */
export interface WorkerHarness {
  store: Store;
  redis: Redis;
  prefix: string;
  dir: TempDir;
  queue(channel: Channel): DeliveryQueue;
  liveCampaign(definition: CampaignDefinition, sandbox?: string): Promise<CampaignVersion>;
  enqueue(
    version: CampaignVersion,
    recipients: Recipient[],
    options?: { queuedAt?: string; mode?: 'highthroughput'; data?: Partial<DeliveryJobData> },
  ): Promise<{ executionId: string; deliveryIds: string[] }>;
  /** Resolves with the execution's records once `count` of them are in one of `statuses`. */
  settled(
    executionId: string,
    count: number,
    statuses?: readonly string[],
    sandbox?: string,
  ): Promise<Delivery[]>;
  stop(): Promise<void>;
}

export async function startWorkerHarness(
  name: string,
  env: Record<string, string> = {},
): Promise<WorkerHarness> {
  const dir = createTempDir(`worker-${name}`);
  const prefix = uniqueQueuePrefix(name);
  const config = loadConfig({
    REDIS_URL: testRedisUrl(process.env),
    QUEUE_PREFIX: prefix,
    HERALD_DATA_DIR: dir.path,
    NODE_ENV: 'test',
    WORKER_QUEUES: 'email,sms,push',
    WORKER_CONCURRENCY: '10',
    WORKER_MAX_ATTEMPTS: '3',
    ALLOW_PRIVATE_URLS: 'true',
    ...env,
  });
  const logger = createLogger({
    level: process.env.HARNESS_LOG_LEVEL === 'debug' ? 'debug' : 'silent',
    service: `worker-test-${name}`,
  });
  const runtime: WorkerRuntime = await buildWorker(config, logger);
  const store = await openStore({ url: config.store.url, deliveryRetentionDays: 30 });
  const redis = await connectRedis(config.redis.url, {
    role: 'producer',
    connectionName: `test-${name}`,
    logger,
  });
  const queues = new Map<Channel, DeliveryQueue>();
  const queue = (channel: Channel): DeliveryQueue => {
    let existing = queues.get(channel);
    if (!existing) {
      existing = createDeliveryQueue(channel, {
        connection: redis,
        prefix,
        maxAttempts: config.worker.maxAttempts,
      });
      queues.set(channel, existing);
    }
    return existing;
  };
  return {
    store,
    redis,
    prefix,
    dir,
    queue,
    liveCampaign: async (definition, sandbox = 'prod') => {
      const campaign = await store.campaigns.create({ sandbox, definition });
      await store.campaigns.transition(sandbox, campaign.id, { from: ['draft'], to: 'live', liveVersion: 1 });
      const version = await store.campaigns.getVersion(sandbox, campaign.id, 1);
      if (!version) throw new Error('campaign version missing');
      return version;
    },
    enqueue: async (version, recipients, options = {}) => {
      const executionId = newId();
      await store.executions.create({
        id: executionId,
        sandbox: version.sandbox,
        kind: options.mode ?? 'unitary',
        campaignId: version.campaignId,
        campaignVersion: version.version,
        requestId: `req-${executionId}`,
        recipientCount: recipients.length,
      });
      const queuedAt = options.queuedAt ?? new Date().toISOString();
      const jobs = recipients.map((recipient, index) => {
        const deliveryId = deliveryJobId(executionId, index);
        const data: DeliveryJobData = {
          executionId,
          deliveryId,
          sandbox: version.sandbox,
          campaignId: version.campaignId,
          campaignVersion: version.version,
          channel: version.definition.channel,
          recipientIndex: index,
          recipient,
          queuedAt,
          ...(options.mode ? { mode: options.mode } : {}),
          ...options.data,
        };
        return { name: 'deliver', data, opts: { jobId: deliveryId } };
      });
      await queue(version.definition.channel).addBulk(jobs);
      return { executionId, deliveryIds: jobs.map((job) => job.data.deliveryId) };
    },
    settled: (executionId, count, statuses = ['sent', 'excluded', 'failed'], sandbox = 'prod') =>
      waitFor(
        async () => {
          const page = await store.deliveries.listByExecution(sandbox, executionId, { limit: 500 });
          const done = page.items.filter((delivery) => statuses.includes(delivery.status));
          return done.length >= count ? page.items : undefined;
        },
        { timeoutMs: 20_000, description: `${count} settled deliveries of ${executionId}` },
      ),
    stop: async () => {
      await runtime.close();
      await Promise.all([...queues.values()].map((q) => q.close()));
      redis.disconnect();
      await store.close();
      dir.remove();
    },
  };
}
