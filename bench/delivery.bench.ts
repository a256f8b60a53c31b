import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { measureCeiling } from './ceiling';
import { profileDirectory, summariseCpuProfiles } from './cpu-profile';
import {
  formatDeliveryReport,
  judgeTarget,
  writeDeliveryReport,
  type DeliveryReport,
  type StepFigures,
} from './delivery-report';
import { probeRedisMemory, runStep, warmUp, type BodyFactory } from './delivery-steps';
import { MAX_ATTEMPTS, startDeliverySystem, THIS_CHECKOUT } from './delivery-system';
import {
  deliveryCallBody,
  RECIPIENTS_PER_CALL,
  TEMPLATE_HTML_BYTES,
  type BenchRecipients,
} from './email-template';
import { positiveInteger, type Environment } from './bench-options';

const root = path.resolve(__dirname, '..', '..');
const RESULTS_DIR = path.join(root, 'bench/results');

interface DeliveryBenchOptions {
  steps: number[];
  stepSeconds: number;
  workers: number;
  concurrency: number;
  emailProvider: 'sendgrid' | 'outbox';
  recipients: BenchRecipients;
  drainSeconds: number;
  /** Keep stepping up after a step that could not be sustained. */
  allSteps: boolean;
  ceilingSeconds: number;
  memoryProbeCalls: number;
  maxInFlight: number;
  /** The checkout whose build is measured (BENCH_HERALD_ROOT), to compare two builds on one machine. */
  heraldRoot: string;
  redisUrl: string | undefined;
  redisAppendOnly: boolean;
  cpuProfile: boolean;
  /** Keeps the `.cpuprofile` files here instead of a temporary folder. */
  cpuProfileDir: string | undefined;
  path: string;
}

function readOptions(environment: Environment): DeliveryBenchOptions {
  const steps = (environment.BENCH_STEPS ?? '25,50,75,100,150,200,250,300')
    .split(',')
    .map((step) => Number(step.trim()));
  if (steps.length === 0 || steps.some((step) => !Number.isInteger(step) || step < 1)) {
    throw new Error(
      `BENCH_STEPS must be calls/s as positive integers separated by commas, got ${environment.BENCH_STEPS}`,
    );
  }
  return {
    steps,
    stepSeconds: positiveInteger(environment, 'BENCH_STEP_SECONDS', 20),
    workers: positiveInteger(environment, 'BENCH_WORKERS', 2),
    concurrency: positiveInteger(environment, 'WORKER_CONCURRENCY', 50),
    emailProvider: environment.BENCH_EMAIL_PROVIDER === 'outbox' ? 'outbox' : 'sendgrid',
    recipients: environment.BENCH_RECIPIENTS === 'external' ? 'external' : 'new-profiles',
    drainSeconds: positiveInteger(environment, 'BENCH_DRAIN_SECONDS', 30),
    allSteps: environment.BENCH_ALL_STEPS === '1',
    ceilingSeconds: positiveInteger(environment, 'BENCH_CEILING_SECONDS', 15),
    memoryProbeCalls: positiveInteger(environment, 'BENCH_MEMORY_PROBE_CALLS', 250),
    maxInFlight: positiveInteger(environment, 'BENCH_MAX_IN_FLIGHT', 256),
    heraldRoot: environment.BENCH_HERALD_ROOT || THIS_CHECKOUT,
    redisUrl: environment.REDIS_URL || undefined,
    redisAppendOnly: environment.BENCH_REDIS_AOF !== '0',
    cpuProfile: environment.BENCH_CPU_PROFILE === '1',
    cpuProfileDir: environment.BENCH_CPU_PROFILE_DIR,
    path: environment.PATH ?? '',
  };
}

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function main(): Promise<void> {
  // The bench is its own composition root: its settings come from the environment, read here only.
  // eslint-disable-next-line no-restricted-syntax
  const options = readOptions(process.env);
  const startedAt = new Date();
  const profileDir = options.cpuProfile
    ? profileDirectory(options.cpuProfileDir, 'bench-delivery-profile')
    : undefined;
  say(`starting Redis, SendGrid stand-in, API and ${options.workers} worker(s)...`);
  const system = await startDeliverySystem({
    heraldRoot: options.heraldRoot,
    redisUrl: options.redisUrl,
    redisAppendOnly: options.redisAppendOnly,
    workers: options.workers,
    concurrency: options.concurrency,
    emailProvider: options.emailProvider,
    cpuProfileDir: profileDir?.path,
    path: options.path,
  });
  try {
    const runId = randomBytes(4).toString('hex');
    const bodies: BodyFactory = (loadName) => (sequence) =>
      deliveryCallBody(system.campaignId, `${runId}-${loadName}`, sequence, options.recipients);
    const bodyBytes = Buffer.byteLength(bodies('size')(0));

    say(`recipients: ${options.recipients}`);
    say('warm-up...');
    const provider = await warmUp(system, bodies);
    const providerNote =
      provider === 'sendgrid-standin'
        ? 'the workers send each recipient to the SendGrid stand-in over HTTP'
        : `the workers do not send to the SendGrid stand-in (${
            options.emailProvider === 'outbox'
              ? 'BENCH_EMAIL_PROVIDER=outbox'
              : 'no EMAIL_PROVIDER=sendgrid support'
          }): they write to the outbox, delivered = processed jobs, call->provider is unavailable`;
    say(`provider: ${provider}${provider === 'outbox' ? ` (${providerNote})` : ''}`);

    say(`Redis memory probe: ${options.memoryProbeCalls} calls queued with the queue paused...`);
    const redisMemory = await probeRedisMemory(system, bodies, options.memoryProbeCalls);

    const steps: StepFigures[] = [];
    for (const callsPerSecond of options.steps) {
      say(
        `step ${callsPerSecond} calls/s (${callsPerSecond * RECIPIENTS_PER_CALL} recipients/s) for ${options.stepSeconds} s...`,
      );
      const step = await runStep(system, bodies, {
        callsPerSecond,
        seconds: options.stepSeconds,
        drainTimeoutSeconds: options.drainSeconds,
        maxInFlight: options.maxInFlight,
        provider,
      });
      steps.push(step);
      say(
        `  delivered ${step.deliveredRecipientsPerSecond} recipients/s, backlog ${step.backlog.start} -> ${step.backlog.end}, ` +
          `${step.sustained ? 'sustained' : 'NOT sustained'}, drained in ${step.drainSeconds ?? `> ${options.drainSeconds}`} s`,
      );
      if (!step.sustained && !options.allSteps) {
        say('  not sustained: higher steps skipped (BENCH_ALL_STEPS=1 runs them all)');
        break;
      }
      if (step.drainSeconds === null) {
        say('  backlog did not drain: higher steps skipped');
        break;
      }
    }
    await system.stopServices();

    say(
      `bare BullMQ ceiling: ${options.workers} no-op worker(s) x ${options.concurrency}, 3 s warm-up + ${options.ceilingSeconds} s...`,
    );
    const infrastructure = new Map([...system.pids].filter(([name]) => name === 'redis' || name === 'bench'));
    const ceiling = await measureCeiling({
      redisUrl: system.redisUrl,
      redis: system.redis,
      pids: infrastructure,
      workers: options.workers,
      concurrency: options.concurrency,
      maxAttempts: MAX_ATTEMPTS,
      warmupSeconds: 3,
      seconds: options.ceilingSeconds,
      path: options.path,
    });

    const best = Math.max(
      0,
      ...steps.filter((step) => step.sustained).map((step) => step.deliveredRecipientsPerSecond),
    );
    const report: DeliveryReport = {
      startedAt: startedAt.toISOString(),
      settings: {
        workers: options.workers,
        concurrency: options.concurrency,
        stepSeconds: options.stepSeconds,
        steps: options.steps,
        recipientsPerCall: RECIPIENTS_PER_CALL,
        templateHtmlBytes: TEMPLATE_HTML_BYTES,
        bodyBytes,
        redis: options.redisUrl ? 'REDIS_URL' : 'private redis-server',
        redisAppendOnly: system.redisAppendOnly,
        cpus: os.cpus().length,
        node: process.version,
        herald: options.heraldRoot,
      },
      provider: { kind: provider, note: providerNote },
      redisMemory,
      steps,
      ceiling,
      bestSustainedRecipientsPerSecond: best,
      ratioOfCeiling:
        ceiling.jobsPerSecond === 0 ? 0 : Math.round((best / ceiling.jobsPerSecond) * 1000) / 1000,
      target: judgeTarget(steps, best),
      ...(profileDir ? { workerCpuProfile: summariseCpuProfiles(profileDir.path) } : {}),
    };
    const file = writeDeliveryReport(report, RESULTS_DIR);
    say(`${formatDeliveryReport(report)}\nfigures written to ${path.relative(root, file)}`);
  } finally {
    await system.close();
    profileDir?.remove();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
