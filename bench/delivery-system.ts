import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { createLogger } from '@herald/logger';
import { connectRedis, createDeliveryQueue, type DeliveryQueue } from '@herald/queues';
import { createTempDir, freePort, startRedisServer, waitFor, type RedisServerHandle } from '@herald/testing';
import { deliveryCampaign } from './email-template';
import { forkBenchProcess, type ForkedProcess } from './forked-process';
import { redisInfo, redisPid } from './redis-probe';
import { startServerProcess, type ServerProcess } from './server-process';
import type { StandinReady } from './standin-process';

/** This checkout: the Herald build measured unless `SystemOptions.heraldRoot` names another. */
export const THIS_CHECKOUT = path.resolve(__dirname, '..', '..');
const apiEntry = (heraldRoot: string): string => path.join(heraldRoot, 'services/ingest-api/dist/index.js');
const workerEntry = (heraldRoot: string): string => path.join(heraldRoot, 'services/worker/dist/index.js');
const STANDIN_ENTRY = path.join(__dirname, 'standin-process.js');
export const MAX_ATTEMPTS = 5;

export interface SystemOptions {
  /** The checkout whose built API and worker run (BENCH_HERALD_ROOT), to compare two builds. */
  heraldRoot: string;
  /** An existing Redis; a private redis-server is started when absent. */
  redisUrl: string | undefined;
  redisAppendOnly: boolean;
  workers: number;
  concurrency: number;
  /** `sendgrid`: the workers send to the stand-in; `outbox`: they write files, the stand-in idles. */
  emailProvider: 'sendgrid' | 'outbox';
  /** Set: the workers run with --cpu-prof and write their profiles here when they stop. */
  cpuProfileDir: string | undefined;
  /** Passed on to the services so they find the same tools. */
  path: string;
}

export interface DeliverySystem {
  redisUrl: string;
  redisAppendOnly: boolean | null;
  redis: Redis;
  queuePrefix: string;
  queue: DeliveryQueue;
  apiUrl: string;
  adminKey: string;
  campaignId: string;
  /** Every process whose CPU and memory the bench reports, by name. */
  pids: Map<string, number>;
  standin: ForkedProcess;
  /** Stops API, workers and stand-in (workers drain and write their CPU profiles). */
  stopServices(): Promise<void>;
  /** Stops everything else and removes what the run left behind. */
  close(): Promise<void>;
}

async function waitUntilServing(url: string, server: ServerProcess): Promise<void> {
  await waitFor(
    async () => {
      if (server.exited()) throw new Error(`server exited before serving:\n${server.output()}`);
      return (await fetch(url).catch(() => undefined)) !== undefined;
    },
    { timeoutMs: 30_000, description: `${url} to answer` },
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${server.output()}`);
  });
}

async function adminPost(url: string, adminKey: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${adminKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

/**
 * The whole system on this machine: Redis, the SendGrid stand-in in its own process, the API
 * and `workers` worker processes sharing one embedded store, and an active campaign.
 */
export async function startDeliverySystem(options: SystemOptions): Promise<DeliverySystem> {
  const cleanups: Array<() => Promise<void> | void> = [];
  const services: Array<{ stop(timeoutMs: number): Promise<void> }> = [];
  const cleanUp = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    let redisServer: RedisServerHandle | undefined;
    if (!options.redisUrl) {
      redisServer = await startRedisServer({ appendonly: options.redisAppendOnly });
      cleanups.push(() => redisServer?.stop());
    }
    const redisUrl = options.redisUrl ?? redisServer?.url ?? '';
    const logger = createLogger({ level: 'warn', service: 'bench' });
    const redis = await connectRedis(redisUrl, { role: 'producer', connectionName: 'herald-bench', logger });
    cleanups.push(() => redis.disconnect());
    const queuePrefix = `bench-delivery-${randomBytes(4).toString('hex')}`;
    const queue = createDeliveryQueue('email', {
      connection: redis,
      prefix: queuePrefix,
      maxAttempts: MAX_ATTEMPTS,
    });
    cleanups.push(async () => {
      await queue.obliterate({ force: true, count: 5000 });
      await queue.close();
    });
    const data = createTempDir('bench-delivery');
    cleanups.push(() => data.remove());

    const { child: standin, ready } = await forkBenchProcess<StandinReady>(STANDIN_ENTRY, [], {
      PATH: options.path,
    });
    services.push(standin);
    cleanups.push(() => standin.stop(10_000));

    const adminKey = `bench-admin-${randomBytes(16).toString('hex')}`;
    const port = await freePort();
    const apiUrl = `http://127.0.0.1:${port}`;
    const common = {
      PATH: options.path,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: queuePrefix,
      HERALD_DATA_DIR: data.path,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    };
    const api = startServerProcess(apiEntry(options.heraldRoot), [], {
      ...common,
      API_PORT: String(port),
      HERALD_ADMIN_KEY: adminKey,
      API_RATE_LIMIT_PER_SECOND: '0',
      QUEUE_MAX_WAITING: '0',
    });
    services.push(api);
    cleanups.push(() => api.stop(30_000));
    await waitUntilServing(`${apiUrl}/health`, api);
    const campaign = await adminPost(`${apiUrl}/campaigns`, adminKey, deliveryCampaign());
    const campaignId = String(campaign.id);
    await adminPost(`${apiUrl}/campaigns/${campaignId}/activate`, adminKey);

    const workers = Array.from({ length: options.workers }, () =>
      startServerProcess(
        workerEntry(options.heraldRoot),
        [],
        {
          ...common,
          WORKER_QUEUES: 'email',
          WORKER_CONCURRENCY: String(options.concurrency),
          EMAIL_PROVIDER: options.emailProvider,
          ...(options.emailProvider === 'sendgrid'
            ? { SENDGRID_API_KEY: ready.apiKey, SENDGRID_API_URL: ready.url }
            : {}),
        },
        options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [],
      ),
    );
    services.push(...workers);
    cleanups.push(() => Promise.all(workers.map((worker) => worker.stop(30_000))).then(() => undefined));
    await waitFor(
      async () => {
        const dead = workers.find((worker) => worker.exited());
        if (dead) throw new Error(`a worker exited at start:\n${dead.output()}`);
        return (await queue.getWorkersCount()) >= options.workers;
      },
      { timeoutMs: 30_000, description: `${options.workers} workers on the email queue` },
    );

    const pids = new Map<string, number>();
    workers.forEach((worker, index) => {
      if (worker.pid) pids.set(`worker-${index + 1}`, worker.pid);
    });
    if (api.pid) pids.set('api', api.pid);
    if (standin.pid) pids.set('standin', standin.pid);
    const pidOfRedis = await redisPid(redis);
    if (pidOfRedis) pids.set('redis', pidOfRedis);
    pids.set('bench', process.pid);
    const persistence = await redisInfo(redis, 'persistence');
    const aof = persistence.get('aof_enabled');

    return {
      redisUrl,
      redisAppendOnly: aof === undefined ? null : aof === '1',
      redis,
      queuePrefix,
      queue,
      apiUrl,
      adminKey,
      campaignId,
      pids,
      standin,
      stopServices: async () => {
        await Promise.all(services.map((service) => service.stop(30_000)));
      },
      close: cleanUp,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
