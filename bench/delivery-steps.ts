import type { DeliverySystem } from './delivery-system';
import { percentiles, type Percentiles, type StepFigures } from './delivery-report';
import { RECIPIENTS_PER_CALL } from './email-template';
import { offerPacedLoad, type CallRecord, type PacedLoadResult } from './paced-load';
import { ProcessWatch } from './process-stats';
import { averageJobHashBytes, backlog, failedCount, usedMemory } from './redis-probe';
import type { StandinExecutions, StandinTotals } from './standin-process';

export type ProviderKind = 'sendgrid-standin' | 'outbox';

/** The body of the n-th call of a load; each load gets its own run id so request ids never repeat. */
export type BodyFactory = (loadName: string) => (sequence: number) => string;

export interface StepOptions {
  callsPerSecond: number;
  seconds: number;
  drainTimeoutSeconds: number;
  maxInFlight: number;
  provider: ProviderKind;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function standinAccepted(system: DeliverySystem): Promise<number> {
  return (await system.standin.request<StandinTotals>('totals')).accepted;
}

/** Seconds until the queue holds no unfinished job, or null after `timeoutSeconds`. */
export async function drain(system: DeliverySystem, timeoutSeconds: number): Promise<number | null> {
  const startedAt = performance.now();
  while (performance.now() - startedAt < timeoutSeconds * 1000) {
    if ((await backlog(system.queue)) === 0) return Math.round(performance.now() - startedAt) / 1000;
    await sleep(100);
  }
  return null;
}

function load(
  system: DeliverySystem,
  body: (sequence: number) => string,
  callsPerSecond: number,
  seconds: number,
  maxInFlight: number,
): Promise<PacedLoadResult> {
  return offerPacedLoad({
    url: system.apiUrl,
    apiKey: system.adminKey,
    callsPerSecond,
    seconds,
    body,
    maxInFlight,
  });
}

/** Measuring starts from an empty queue, however slow the system: a minute and more of backlog is a failure. */
const SETUP_DRAIN_SECONDS = 120;

async function drainBeforeMeasuring(system: DeliverySystem, what: string): Promise<void> {
  if ((await drain(system, SETUP_DRAIN_SECONDS)) === null) {
    throw new Error(
      `the ${what} backlog did not drain in ${SETUP_DRAIN_SECONDS} s: are the workers processing?`,
    );
  }
}

/**
 * A short load at a low rate, drained: JIT, connections and caches warm, and tells whether the
 * workers send to the stand-in at all (they use the outbox until they can).
 */
export async function warmUp(system: DeliverySystem, bodies: BodyFactory): Promise<ProviderKind> {
  const result = await load(system, bodies('warmup'), 50, 3, 64);
  const accepted = result.calls.filter((call) => call.status === 202).length;
  if (accepted === 0) {
    throw new Error(`no warm-up call was accepted: ${JSON.stringify(statusCodes(result.calls))}`);
  }
  await drainBeforeMeasuring(system, 'warm-up');
  return (await standinAccepted(system)) > 0 ? 'sendgrid-standin' : 'outbox';
}

/**
 * Redis memory of queued jobs, measured with the queue paused: used memory before and after
 * `calls` calls, over the jobs they queued (each call's idempotency record included, as it
 * lives as long as the job at least), and the size of one job hash alone.
 */
export async function probeRedisMemory(
  system: DeliverySystem,
  bodies: BodyFactory,
  calls: number,
): Promise<{ probeJobs: number; bytesPerQueuedJob: number | null; jobHashBytes: number | null }> {
  await system.queue.pause();
  try {
    await drainBeforeMeasuring(system, 'warm-up');
    const before = await usedMemory(system.redis);
    // Slow enough for a busy API to answer every call without shedding any.
    const result = await load(system, bodies('memory'), 200, calls / 200, 256);
    const jobs = result.calls.filter((call) => call.status === 202).length * RECIPIENTS_PER_CALL;
    const after = await usedMemory(system.redis);
    const jobHashBytes = (await averageJobHashBytes(system.redis, system.queue)) ?? null;
    return {
      probeJobs: jobs,
      bytesPerQueuedJob: jobs === 0 ? null : Math.round((after - before) / jobs),
      jobHashBytes,
    };
  } finally {
    await system.queue.resume();
    await drainBeforeMeasuring(system, 'memory probe');
  }
}

function statusCodes(calls: readonly CallRecord[]): Record<string, number> {
  const codes: Record<string, number> = {};
  for (const call of calls) codes[String(call.status)] = (codes[String(call.status)] ?? 0) + 1;
  return codes;
}

/** Per call: from sending to its last recipient accepted; Infinity when not all were. */
async function callToProvider(
  system: DeliverySystem,
  calls: readonly CallRecord[],
): Promise<StepFigures['callToProviderMs']> {
  const accepted = calls.filter(
    (call): call is CallRecord & { executionId: string } => call.executionId !== undefined,
  );
  const { executions } = await system.standin.request<StandinExecutions>('executions', {
    ids: accepted.map((call) => call.executionId),
  });
  const latencies = accepted.map((call, index) => {
    const [count, lastAt] = executions[index] ?? [0, 0];
    return count >= RECIPIENTS_PER_CALL ? lastAt - call.startedAt : Infinity;
  });
  const figures: Percentiles = percentiles(latencies);
  return {
    ...figures,
    calls: latencies.length,
    incomplete: latencies.filter((value) => value === Infinity).length,
  };
}

/**
 * One step of offered load: the calls it answers, what reaches the provider meanwhile, whether
 * the queue keeps up, the latencies, and what every process uses; then waits for the backlog
 * to drain so the next step starts from an empty queue.
 */
export async function runStep(
  system: DeliverySystem,
  bodies: BodyFactory,
  options: StepOptions,
): Promise<StepFigures> {
  const offeredRecipientsPerSecond = options.callsPerSecond * RECIPIENTS_PER_CALL;
  const failedAtStart = await failedCount(system.queue);
  const backlogAtStart = await backlog(system.queue);
  const memoryAtStart = await usedMemory(system.redis);
  const acceptedAtStart = options.provider === 'sendgrid-standin' ? await standinAccepted(system) : 0;
  const watch = new ProcessWatch(system.pids);
  const windowStart = performance.now();
  let maxBacklog = backlogAtStart;
  let bytesPerJob: number | null = null;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      await sleep(1000);
      const [depth, memory] = await Promise.all([backlog(system.queue), usedMemory(system.redis)]);
      if (depth > maxBacklog) {
        maxBacklog = depth;
        if (depth - backlogAtStart >= 1000)
          bytesPerJob = Math.round((memory - memoryAtStart) / (depth - backlogAtStart));
      }
    }
  })();
  const result = await load(
    system,
    bodies(`step-${options.callsPerSecond}`),
    options.callsPerSecond,
    options.seconds,
    options.maxInFlight,
  );
  const backlogAtEnd = await backlog(system.queue);
  const acceptedAtEnd = options.provider === 'sendgrid-standin' ? await standinAccepted(system) : 0;
  const windowSeconds = (performance.now() - windowStart) / 1000;
  const { processes, otherCpuPercent } = watch.stop();
  sampling = false;
  await sampler;

  const answered = result.calls.filter((call) => call.status === 202).length;
  const delivered =
    options.provider === 'sendgrid-standin'
      ? acceptedAtEnd - acceptedAtStart
      : answered * RECIPIENTS_PER_CALL - (backlogAtEnd - backlogAtStart);
  const drainSeconds = await drain(system, options.drainTimeoutSeconds);
  return {
    offeredCallsPerSecond: options.callsPerSecond,
    offeredRecipientsPerSecond,
    seconds: Math.round(result.seconds * 10) / 10,
    callsAcceptedPerSecond: Math.round((answered / result.seconds) * 10) / 10,
    statusCodes: statusCodes(result.calls),
    notSent: result.notSent,
    errors: result.errors,
    errorCodes: result.errorCodes,
    deliveredRecipientsPerSecond: Math.round(delivered / windowSeconds),
    backlog: { start: backlogAtStart, end: backlogAtEnd, max: Math.max(maxBacklog, backlogAtEnd) },
    sustained:
      backlogAtEnd - backlogAtStart <= offeredRecipientsPerSecond &&
      answered === result.calls.length &&
      result.notSent === 0 &&
      result.errors === 0,
    failedJobs: (await failedCount(system.queue)) - failedAtStart,
    drainSeconds,
    callTo202Ms: percentiles(result.calls.map((call) => call.latencyMs)),
    callToProviderMs:
      options.provider === 'sendgrid-standin' ? await callToProvider(system, result.calls) : null,
    redisBytesPerQueuedJob: bytesPerJob,
    processes,
    otherCpuPercent,
  };
}
