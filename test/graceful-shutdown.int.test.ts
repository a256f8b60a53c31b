import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES, type DeliveryJobData } from '@herald/contracts';
import { openStore, type Store } from '@herald/store';
import {
  createTempDir,
  orderShippedCampaign,
  startSendGridStandin,
  waitFor,
  type SendGridStandin,
  type ServiceProcess,
  type TempDir,
} from '@herald/testing';
import {
  createLiveCampaign,
  heraldEnv,
  postJson,
  startApiProcess,
  startWorkerProcess,
} from './support/herald-processes';

const CONCURRENCY = 5;
const RECIPIENTS = 20;

describe('a worker stopped with SIGTERM while sends are in flight', () => {
  let dir: TempDir;
  let standin: SendGridStandin;
  let store: Store;
  let connection: Redis;
  const processes: ServiceProcess[] = [];

  beforeAll(async () => {
    dir = createTempDir('graceful');
    standin = await startSendGridStandin();
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    connection?.disconnect();
    await store?.close();
    await standin?.close();
    dir.remove();
  });

  it('finishes and records the sends in flight, takes no new job, and exits 0', async () => {
    const env = await heraldEnv('graceful', dir.path, {
      WORKER_QUEUES: 'email',
      WORKER_CONCURRENCY: String(CONCURRENCY),
      EMAIL_PROVIDER: 'sendgrid',
      SENDGRID_API_KEY: standin.apiKey,
      SENDGRID_API_URL: standin.url,
    });
    const api = await startApiProcess(env);
    processes.push(api);
    store = await openStore({ url: path.join(dir.path, 'herald.sqlite') });
    connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
    const apiUrl = `http://127.0.0.1:${env.API_PORT}`;
    const campaignId = await createLiveCampaign(apiUrl, orderShippedCampaign());
    // Every send takes 1.5 s at the provider, so the SIGTERM lands while CONCURRENCY are in flight.
    standin.behave({ latencyMs: 1500 });
    const accepted = await postJson(`${apiUrl}/im/executions/unitary`, {
      requestId: 'graceful-1',
      campaignId,
      recipients: Array.from({ length: RECIPIENTS }, (_, index) => ({
        type: 'external',
        namespace: 'crmId',
        userId: `g-${index}`,
        channelData: { emailAddress: `g-${index}@example.com` },
        context: { orderId: `G-${index}`, total: index },
      })),
    });
    expect(accepted.status).toBe(202);
    const executionId = String(accepted.body.executionId);

    const worker = await startWorkerProcess(env);
    const queue = new Queue<DeliveryJobData>(QUEUE_NAMES.email, { connection, prefix: env.QUEUE_PREFIX });
    // Sends of concurrent jobs share SendGrid requests: the jobs are active and their requests went
    // out (the coalescing window is 2 ms; the stand-in holds each request 1.5 s).
    await waitFor(async () => (await queue.getActiveCount()) === CONCURRENCY && standin.requestCount >= 1, {
      description: 'sends in flight',
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const exitCode = await worker.stop('SIGTERM');

    expect(exitCode).toBe(0);
    const records = (await store.deliveries.listByExecution('prod', executionId, { limit: 100 })).items;
    // The in-flight sends were finished and recorded before the process exited ...
    expect(records.filter((record) => record.status === 'sent')).toHaveLength(CONCURRENCY);
    expect(standin.acceptedCount).toBe(CONCURRENCY);
    // ... and nothing else was taken: the rest wait in the queue for the next worker.
    try {
      expect(await queue.getWaitingCount()).toBe(RECIPIENTS - CONCURRENCY);
      expect(await queue.getActiveCount()).toBe(0);
    } finally {
      await queue.close();
    }
  });
});
