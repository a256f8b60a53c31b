import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  deliveryJobId,
  deliveryQueueName,
  newId,
  type DeliveryJobData,
  type Recipient,
} from '@herald/contracts';
import { createRedisConnection, createDeliveryQueue, type DeliveryQueue } from '@herald/queues';
import { callRecipients, RECIPIENTS_PER_CALL } from './email-template';
import { serveIpc } from './forked-process';

/** Options of a ceiling process, as JSON in argv[2]. */
export interface BareBullmqOptions {
  role: 'producer' | 'worker';
  redisUrl: string;
  queuePrefix: string;
  /** Worker: jobs processed at once, as Herald's workers are configured. */
  concurrency: number;
  maxAttempts: number;
  /** Producer: `addBulk` calls in flight at once. */
  producerParallelism: number;
  /** Producer: waiting jobs above which it pauses, so the queue never grows without bound. */
  highWater: number;
}

/** What a ceiling process has done so far: jobs added (producer) or processed (worker). */
export interface BareTotals {
  count: number;
}

/**
 * Herald's delivery path with every step taken out but BullMQ itself: the producer `addBulk`s
 * 20-job batches of the same data, options and job ids the API queues; the workers take them
 * with a processor that does nothing, at the same concurrency. Its jobs/s is the ceiling the
 * delivery rate is compared with.
 */
async function runWorker(options: BareBullmqOptions, connection: Redis): Promise<() => Promise<void>> {
  let processed = 0;
  const worker = new Worker(
    deliveryQueueName('email'),
    async () => {
      processed += 1;
    },
    { connection, prefix: options.queuePrefix, concurrency: options.concurrency },
  );
  await worker.waitUntilReady();
  serveIpc(async () => ({ count: processed }) satisfies BareTotals);
  return () => worker.close();
}

function batch(runId: string, sequence: number): Parameters<DeliveryQueue['addBulk']>[0] {
  const executionId = newId();
  const queuedAt = new Date().toISOString();
  const recipients = callRecipients(runId, sequence) as unknown as Recipient[];
  return recipients.map((recipient, index) => {
    const jobId = deliveryJobId(executionId, index);
    const data: DeliveryJobData = {
      executionId,
      deliveryId: jobId,
      sandbox: 'prod',
      campaignId: 'bench-campaign',
      campaignVersion: 1,
      channel: 'email',
      recipientIndex: index,
      recipient,
      queuedAt,
    };
    return { name: 'deliver', data, opts: { jobId } };
  });
}

async function runProducer(options: BareBullmqOptions, connection: Redis): Promise<() => Promise<void>> {
  const queue = createDeliveryQueue('email', {
    connection,
    prefix: options.queuePrefix,
    maxAttempts: options.maxAttempts,
  });
  const runId = newId().slice(0, 8);
  let added = 0;
  let sequence = 0;
  let running = false;
  let waiting = 0;
  const poll = setInterval(() => {
    void queue.getWaitingCount().then((count) => (waiting = count));
  }, 50);
  const lane = async (): Promise<void> => {
    while (running) {
      if (waiting >= options.highWater) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        continue;
      }
      await queue.addBulk(batch(runId, sequence++));
      added += RECIPIENTS_PER_CALL;
      waiting += RECIPIENTS_PER_CALL;
    }
  };
  const lanes: Array<Promise<void>> = [];
  serveIpc(async (request) => {
    if (request.type === 'start' && !running) {
      running = true;
      for (let index = 0; index < options.producerParallelism; index += 1) lanes.push(lane());
    }
    return { count: added } satisfies BareTotals;
  });
  return async () => {
    running = false;
    clearInterval(poll);
    await Promise.all(lanes);
    await queue.close();
  };
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as BareBullmqOptions;
  const connection = createRedisConnection(options.redisUrl, {
    role: 'worker',
    connectionName: `herald-bench-bare-${options.role}`,
  });
  const close =
    options.role === 'worker' ? await runWorker(options, connection) : await runProducer(options, connection);
  process.once('SIGTERM', () => {
    void close().then(() => {
      connection.disconnect();
      process.exit(0);
    });
  });
  process.send?.({ type: 'ready' });
}

main().catch((error: unknown) => {
  process.stderr.write(`bare BullMQ ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
