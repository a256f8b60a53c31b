import type { Redis } from 'ioredis';
import { loadConfig } from '@herald/config';
import { newId, type CampaignVersion } from '@herald/contracts';
import { createLogger } from '@herald/logger';
import { connectRedis, createDeliveryQueue, deliveryJob, type DeliveryQueue } from '@herald/queues';
import { openStore, type Store } from '@herald/store';
import {
  createTempDir,
  orderShippedCampaign,
  testRedisUrl,
  uniqueQueuePrefix,
  waitFor,
  type TempDir,
} from '@herald/testing';
import { buildWorker, type WorkerRuntime } from '../src/index';

const SANDBOX = 'prod';
const ADDRESS = 'job-logs-reader@example.com';

describe("worker's log lines about a job", () => {
  const lines: Array<Record<string, unknown>> = [];
  let dir: TempDir;
  let runtime: WorkerRuntime;
  let store: Store;
  let redis: Redis;
  let queue: DeliveryQueue;

  beforeAll(async () => {
    dir = createTempDir('worker-job-logs');
    const prefix = uniqueQueuePrefix('job-logs');
    const config = loadConfig({
      REDIS_URL: testRedisUrl(process.env),
      QUEUE_PREFIX: prefix,
      HERALD_DATA_DIR: dir.path,
      NODE_ENV: 'test',
      WORKER_QUEUES: 'email',
    });
    const logger = createLogger({
      level: 'debug',
      service: 'worker',
      destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    runtime = await buildWorker(config, logger);
    store = await openStore({ url: config.store.url, deliveryRetentionDays: 30 });
    redis = await connectRedis(config.redis.url, {
      role: 'producer',
      connectionName: 'test-job-logs',
      logger,
    });
    queue = createDeliveryQueue('email', { connection: redis, prefix, maxAttempts: 3 });
  });
  afterAll(async () => {
    await runtime?.close();
    await queue?.close();
    redis?.disconnect();
    await store?.close();
    dir?.remove();
  });

  async function liveCampaign(): Promise<CampaignVersion> {
    const campaign = await store.campaigns.create({
      sandbox: SANDBOX,
      definition: orderShippedCampaign({ createProfiles: true }),
    });
    await store.campaigns.transition(SANDBOX, campaign.id, { from: ['draft'], to: 'live', liveVersion: 1 });
    const version = await store.campaigns.getVersion(SANDBOX, campaign.id, 1);
    if (!version) throw new Error('campaign version missing');
    return version;
  }

  it('name the x-request-id of the call that queued it, its job and execution, and no address', async () => {
    const version = await liveCampaign();
    const executionId = newId();
    const job = deliveryJob({
      executionId,
      sandbox: SANDBOX,
      campaignId: version.campaignId,
      campaignVersion: version.version,
      channel: 'email',
      recipientIndex: 0,
      recipient: {
        type: 'aep',
        namespace: 'email',
        userId: ADDRESS,
        channelData: { emailAddress: ADDRESS },
        context: { orderId: 'L-1', total: 1 },
      },
      queuedAt: new Date().toISOString(),
      xRequestId: 'caller-trace-4711',
    });
    await queue.add(job.name, job.data, job.opts);

    const sent = await waitFor(
      async () => lines.find((line) => line.msg === 'delivery sent' && line.jobId === job.opts.jobId),
      { timeoutMs: 15_000, description: 'the delivery sent line' },
    );
    expect(sent).toMatchObject({ xRequestId: 'caller-trace-4711', executionId });
    const aboutTheJob = lines.filter((line) => line.jobId === job.opts.jobId);
    expect(aboutTheJob.every((line) => line.xRequestId === 'caller-trace-4711')).toBe(true);
    expect(JSON.stringify(aboutTheJob)).not.toContain(ADDRESS);
  });
});
