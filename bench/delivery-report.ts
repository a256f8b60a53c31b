import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CpuProfileSummary } from './cpu-profile';
import type { ProcessFigures } from './process-stats';

/** The goal on the 2-core reference machine. */
export const DELIVERY_TARGET = {
  recipientsPerSecond: 5000,
  /** p99 call → provider accepted, at 80 % of `recipientsPerSecond` offered. */
  p99CallToProviderMs: 2000,
  loadShareForP99: 0.8,
  workerRssMb: 300,
} as const;

export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

export interface StepFigures {
  offeredCallsPerSecond: number;
  offeredRecipientsPerSecond: number;
  seconds: number;
  /** 202 answers per second. */
  callsAcceptedPerSecond: number;
  statusCodes: Record<string, number>;
  /** Calls due but not sent: too many were already waiting for an answer. */
  notSent: number;
  /** Calls that got no answer: connection errors and timeouts. */
  errors: number;
  /** The same by error code. */
  errorCodes: Record<string, number>;
  /** Recipients handed to the provider per second during the step. */
  deliveredRecipientsPerSecond: number;
  /** Queue backlog (waiting, active, delayed) at the step's start and end, and its peak. */
  backlog: { start: number; end: number; max: number };
  /** The backlog grew by less than one second of offered recipients. */
  sustained: boolean;
  /** Jobs that reached the failed set during the step and its drain. */
  failedJobs: number;
  /** Seconds the backlog took to empty after the step; null when it did not within the limit. */
  drainSeconds: number | null;
  callTo202Ms: Percentiles;
  /**
   * Per call: from sending it to its last recipient accepted by the stand-in. Null with the
   * outbox. A call not fully delivered by the end of the drain counts as slower than any other.
   */
  callToProviderMs: (Percentiles & { calls: number; incomplete: number }) | null;
  /**
   * Used memory above the step's start over the backlog, at the step's largest backlog (1,000
   * jobs at least). Rougher than the paused-queue probe: completed jobs kept for Bull Board
   * (up to 10,000) count too until that cap is reached.
   */
  redisBytesPerQueuedJob: number | null;
  processes: Record<string, ProcessFigures>;
  /** CPU used meanwhile by processes that are not part of the run, in % of one core. */
  otherCpuPercent: number | null;
}

export interface CeilingFigures {
  workers: number;
  concurrency: number;
  seconds: number;
  /** Jobs the no-op workers processed per second. */
  jobsPerSecond: number;
  jobsAddedPerSecond: number;
  processes: Record<string, ProcessFigures>;
  otherCpuPercent: number | null;
}

export interface DeliverySettings {
  workers: number;
  concurrency: number;
  stepSeconds: number;
  steps: number[];
  recipientsPerCall: number;
  templateHtmlBytes: number;
  bodyBytes: number;
  redis: string;
  redisAppendOnly: boolean | null;
  cpus: number;
  node: string;
  /** The checkout whose build ran. */
  herald: string;
}

export interface DeliveryReport {
  startedAt: string;
  settings: DeliverySettings;
  /** Where the workers sent: the SendGrid stand-in over HTTP, or the outbox when they cannot yet. */
  provider: { kind: 'sendgrid-standin' | 'outbox'; note: string };
  redisMemory: { probeJobs: number; bytesPerQueuedJob: number | null; jobHashBytes: number | null };
  steps: StepFigures[];
  ceiling: CeilingFigures;
  bestSustainedRecipientsPerSecond: number;
  /** Best sustained delivered recipients/s over the bare BullMQ jobs/s. */
  ratioOfCeiling: number;
  target: typeof DELIVERY_TARGET & {
    /** Null when the run did not measure it. */
    met: { recipientsPerSecond: boolean; p99CallToProvider: boolean | null; workerRss: boolean };
    p99MeasuredAtStep: number | null;
    maxWorkerRssMb: number;
  };
  workerCpuProfile?: CpuProfileSummary;
}

/** Nearest-rank percentiles; `Infinity` entries (never completed) sort last. */
export function percentiles(values: readonly number[]): Percentiles {
  if (values.length === 0) return { p50: 0, p99: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (share: number): number =>
    sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] ?? 0;
  const round = (value: number): number => (Number.isFinite(value) ? Math.round(value * 10) / 10 : value);
  return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(at(1)) };
}

export function workerRssMb(step: StepFigures): number {
  return Math.max(
    0,
    ...Object.entries(step.processes)
      .filter(([name]) => name.startsWith('worker'))
      .map(([, figures]) => figures.maxRssMb),
  );
}

export function judgeTarget(steps: readonly StepFigures[], best: number): DeliveryReport['target'] {
  const loadFor99 = DELIVERY_TARGET.recipientsPerSecond * DELIVERY_TARGET.loadShareForP99;
  const step = steps.find((candidate) => candidate.offeredRecipientsPerSecond >= loadFor99);
  const p99 = step?.callToProviderMs?.p99;
  const maxWorkerRssMb = Math.max(0, ...steps.map(workerRssMb));
  return {
    ...DELIVERY_TARGET,
    met: {
      recipientsPerSecond: best >= DELIVERY_TARGET.recipientsPerSecond,
      p99CallToProvider: p99 === undefined ? null : p99 <= DELIVERY_TARGET.p99CallToProviderMs,
      workerRss: maxWorkerRssMb <= DELIVERY_TARGET.workerRssMb,
    },
    p99MeasuredAtStep: step && p99 !== undefined ? step.offeredCallsPerSecond : null,
    maxWorkerRssMb,
  };
}

/** Writes `bench/results/delivery-<timestamp>.json`; returns its path. Never-completed calls are written as null. */
export function writeDeliveryReport(report: DeliveryReport, resultsDir: string): string {
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `delivery-${report.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    `${JSON.stringify(report, (_key, value: unknown) => (value === Infinity ? null : value), 2)}\n`,
  );
  return file;
}

const WIDTHS = [8, 9, 11, 15, 5, 12, 14, 11, 8, 5, 7, 7, 7];

function row(cells: readonly string[]): string {
  return cells.map((cell, index) => cell.padStart(WIDTHS[index] ?? 8)).join(' ');
}

function ms(value: number): string {
  if (!Number.isFinite(value)) return '>drain';
  return value >= 10_000 ? `${(value / 1000).toFixed(0)}s` : String(Math.round(value));
}

function cpu(step: StepFigures, prefix: string): string {
  const shares = Object.entries(step.processes).filter(([name]) => name.startsWith(prefix));
  return shares.length === 0 ? '-' : String(Math.round(shares.reduce((sum, [, f]) => sum + f.cpuPercent, 0)));
}

function stepRow(step: StepFigures): string {
  const provider = step.callToProviderMs;
  return row([
    String(step.offeredCallsPerSecond),
    String(Math.round(step.callsAcceptedPerSecond)),
    String(Math.round(step.deliveredRecipientsPerSecond)),
    `${step.backlog.start}->${step.backlog.end}`,
    step.sustained ? 'yes' : 'NO',
    `${ms(step.callTo202Ms.p50)}/${ms(step.callTo202Ms.p99)}`,
    provider ? `${ms(provider.p50)}/${ms(provider.p99)}` : 'n/a',
    cpu(step, 'worker'),
    String(Math.round(workerRssMb(step))),
    cpu(step, 'api'),
    cpu(step, 'redis'),
    cpu(step, 'standin'),
    step.otherCpuPercent === null ? '-' : String(Math.round(step.otherCpuPercent)),
  ]);
}

export function formatDeliveryReport(report: DeliveryReport): string {
  const { settings, target, ceiling, redisMemory } = report;
  const verdict = (met: boolean | null): string => (met === null ? 'not measured' : met ? 'met' : 'NOT met');
  const lines = [
    `delivery bench: ${settings.workers} worker(s) x concurrency ${settings.concurrency}, ${settings.stepSeconds} s steps, ` +
      `${settings.recipientsPerCall} recipients/call (${settings.bodyBytes} B body, ${settings.templateHtmlBytes} B template), ` +
      `${settings.cpus} CPUs, node ${settings.node}, build ${settings.herald}`,
    `provider: ${report.provider.kind} (${report.provider.note})`,
    'per step: latencies in ms; CPU in % of one core (workers summed; other = processes outside the run)',
    row([
      'calls/s',
      'accepted',
      'deliv rec/s',
      'backlog',
      'sust',
      '202 p50/p99',
      'prov p50/p99',
      'workers CPU',
      'wRSS MB',
      'api',
      'redis',
      'standin',
      'other',
    ]),
    ...report.steps.map(stepRow),
    ...report.steps
      .filter((step) => step.errors > 0 || step.notSent > 0)
      .map(
        (step) =>
          `step ${step.offeredCallsPerSecond}: ${step.errors} call(s) without an answer ` +
          `(${JSON.stringify(step.errorCodes)}), ${step.notSent} not sent (too many in flight): not sustained`,
      ),
    `redis memory per queued job: ${redisMemory.bytesPerQueuedJob ?? '?'} B (probe of ${redisMemory.probeJobs} jobs; ` +
      `job hash alone ${redisMemory.jobHashBytes ?? '?'} B)`,
    `bare BullMQ ceiling (no-op processor, ${ceiling.workers} x ${ceiling.concurrency}): ${Math.round(ceiling.jobsPerSecond)} jobs/s ` +
      `(added ${Math.round(ceiling.jobsAddedPerSecond)}/s; other processes ${ceiling.otherCpuPercent ?? '?'} % CPU)`,
    `best sustained delivery: ${Math.round(report.bestSustainedRecipientsPerSecond)} recipients/s = ` +
      `${(report.ratioOfCeiling * 100).toFixed(1)} % of the ceiling`,
    `target: >= ${target.recipientsPerSecond} recipients/s sustained: ${verdict(target.met.recipientsPerSecond)}`,
    `        p99 call->provider <= ${target.p99CallToProviderMs} ms at ${target.loadShareForP99 * 100} % of that load: ` +
      `${verdict(target.met.p99CallToProvider)}` +
      (target.p99MeasuredAtStep === null ? '' : ` (step ${target.p99MeasuredAtStep} calls/s)`),
    `        worker RSS <= ${target.workerRssMb} MB: ${verdict(target.met.workerRss)} (max ${target.maxWorkerRssMb} MB)`,
  ];
  if (report.workerCpuProfile) {
    lines.push(`worker CPU profile (${report.workerCpuProfile.samples} samples), self time by area:`);
    for (const share of report.workerCpuProfile.byArea.slice(0, 10)) {
      lines.push(`  ${share.selfPercent.toFixed(1).padStart(5)} %  ${share.frame}`);
    }
    lines.push('top frames:');
    for (const share of report.workerCpuProfile.topFrames.slice(0, 15)) {
      lines.push(`  ${share.selfPercent.toFixed(1).padStart(5)} %  ${share.frame}`);
    }
  }
  return lines.join('\n');
}
