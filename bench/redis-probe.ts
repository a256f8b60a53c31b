import type { Redis } from 'ioredis';
import type { Queue } from 'bullmq';

/** `INFO` as a flat map of its `key:value` lines. */
export async function redisInfo(redis: Redis, section?: string): Promise<Map<string, string>> {
  const text = section ? await redis.info(section) : await redis.info();
  const info = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) info.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return info;
}

export async function usedMemory(redis: Redis): Promise<number> {
  return Number((await redisInfo(redis, 'memory')).get('used_memory') ?? 0);
}

/** The pid of the redis-server process, so its CPU and RSS can be read like the others'. */
export async function redisPid(redis: Redis): Promise<number | undefined> {
  const pid = Number((await redisInfo(redis, 'server')).get('process_id'));
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Jobs not yet finished: waiting (paused ones too), being processed, or delayed for a retry. */
export async function backlog(queue: Queue): Promise<number> {
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

export async function failedCount(queue: Queue): Promise<number> {
  return (await queue.getJobCounts('failed')).failed ?? 0;
}

/** Average `MEMORY USAGE` of up to `sample` waiting jobs' hashes: the job alone, without its list entries. */
export async function averageJobHashBytes(
  redis: Redis,
  queue: Queue,
  sample = 50,
): Promise<number | undefined> {
  const jobs = await queue.getJobs(['waiting'], 0, sample - 1);
  const sizes: number[] = [];
  for (const job of jobs) {
    if (!job.id) continue;
    const bytes = await redis.memory('USAGE', `${queue.qualifiedName}:${job.id}`, 'SAMPLES', 0);
    if (typeof bytes === 'number') sizes.push(bytes);
  }
  return sizes.length === 0 ? undefined : Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length);
}
