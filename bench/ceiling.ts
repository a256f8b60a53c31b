import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { createDeliveryQueue } from '@herald/queues';
import type { BareBullmqOptions, BareTotals } from './bare-bullmq';
import type { CeilingFigures } from './delivery-report';
import { forkBenchProcess, type ForkedProcess } from './forked-process';
import { ProcessWatch } from './process-stats';

const BARE_ENTRY = path.join(__dirname, 'bare-bullmq.js');

export interface CeilingOptions {
  redisUrl: string;
  /** The bench's own connection to the same Redis, to clear the queue afterwards. */
  redis: Redis;
  /** Included in the process figures (the Redis server, the bench). */
  pids: ReadonlyMap<string, number>;
  workers: number;
  concurrency: number;
  maxAttempts: number;
  warmupSeconds: number;
  seconds: number;
  path: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function total(processes: readonly ForkedProcess[]): Promise<number> {
  const totals = await Promise.all(processes.map((child) => child.request<BareTotals>('totals')));
  return totals.reduce((sum, totals) => sum + totals.count, 0);
}

/**
 * The bare BullMQ add + process ceiling on the same Redis: one producer process `addBulk`ing
 * batches of Herald's job data, `workers` processes with a no-op processor at Herald's
 * concurrency. Jobs/s processed over `seconds`, after `warmupSeconds`.
 */
export async function measureCeiling(options: CeilingOptions): Promise<CeilingFigures> {
  const prefix = `bench-bare-${randomBytes(4).toString('hex')}`;
  const base: Omit<BareBullmqOptions, 'role'> = {
    redisUrl: options.redisUrl,
    queuePrefix: prefix,
    concurrency: options.concurrency,
    maxAttempts: options.maxAttempts,
    producerParallelism: 8,
    highWater: 5000,
  };
  const started: ForkedProcess[] = [];
  const start = async (role: BareBullmqOptions['role']): Promise<ForkedProcess> => {
    const { child } = await forkBenchProcess(BARE_ENTRY, [JSON.stringify({ ...base, role })], {
      PATH: options.path,
    });
    started.push(child);
    return child;
  };
  try {
    const workers: ForkedProcess[] = [];
    for (let index = 0; index < options.workers; index += 1) workers.push(await start('worker'));
    const producer = await start('producer');
    const pids = new Map(options.pids);
    workers.forEach((worker, index) => {
      if (worker.pid) pids.set(`worker-${index + 1}`, worker.pid);
    });
    if (producer.pid) pids.set('producer', producer.pid);

    await producer.request('start');
    await sleep(options.warmupSeconds * 1000);
    const processedAtStart = await total(workers);
    const addedAtStart = await total([producer]);
    const watch = new ProcessWatch(pids);
    const windowStart = performance.now();
    await sleep(options.seconds * 1000);
    const processed = (await total(workers)) - processedAtStart;
    const added = (await total([producer])) - addedAtStart;
    const seconds = (performance.now() - windowStart) / 1000;
    const { processes, otherCpuPercent } = watch.stop();
    return {
      workers: options.workers,
      concurrency: options.concurrency,
      seconds: Math.round(seconds * 10) / 10,
      jobsPerSecond: Math.round(processed / seconds),
      jobsAddedPerSecond: Math.round(added / seconds),
      processes,
      otherCpuPercent,
    };
  } finally {
    await Promise.all(started.map((child) => child.stop(10_000)));
    const queue = createDeliveryQueue('email', {
      connection: options.redis,
      prefix,
      maxAttempts: options.maxAttempts,
    });
    await queue.obliterate({ force: true, count: 5000 });
    await queue.close();
  }
}
