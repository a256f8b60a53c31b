import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Result } from 'autocannon';
import type { CpuPerCall } from './cpu-per-call';
import type { CpuProfileSummary } from './cpu-profile';

/** The goal on the 2-core reference machine. */
export const TARGET = { callsPerSecond: 1200, p99Ms: 60, ratioOfCeiling: 0.85 } as const;

export interface LoadFigures {
  /** 2xx answers per second over the measured window. */
  callsPerSecond: number;
  recipientsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  calls2xx: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  statusCodes: Record<string, number>;
  /** CPU µs per 2xx call of the server, Redis, the load generator (this process) and their total. */
  cpuMicrosPerCall: CpuPerCall;
}

export interface BenchSettings {
  /** API and bare endpoint measured one after the other this many times; medians are reported. */
  rounds: number;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  processes: number;
  recipientsPerCall: number;
  bodyBytes: number;
  redisUrl: string;
  cpus: number;
  node: string;
  /** The checkout whose build ran. */
  herald: string;
}

/** One API run and the bare-endpoint run right after it. */
export interface BenchRound {
  api: LoadFigures;
  bare: LoadFigures;
}

export interface BenchReport {
  startedAt: string;
  settings: BenchSettings;
  /** The round with the median API calls/s. */
  api: LoadFigures;
  /** The round with the median bare-endpoint calls/s. */
  bare: LoadFigures;
  rounds: BenchRound[];
  /**
   * The median over rounds of API calls/s over the bare endpoint's calls/s of the same round
   * (measured right after it): a pair shares the machine's state of the moment, which two medians
   * taken separately do not when other load comes and goes.
   */
  ratioOfCeiling: number;
  target: typeof TARGET & { met: { callsPerSecond: boolean; p99: boolean; ratioOfCeiling: boolean } };
  apiCpuProfile?: CpuProfileSummary;
}

export function loadFigures(result: Result, recipientsPerCall: number, cpu: CpuPerCall): LoadFigures {
  const ok = result['2xx'];
  const callsPerSecond = ok / result.duration;
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) {
    statusCodes[code] = stats.count ?? 0;
  }
  return {
    callsPerSecond: Math.round(callsPerSecond),
    recipientsPerSecond: Math.round(callsPerSecond * recipientsPerCall),
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    calls2xx: ok,
    non2xx: result.non2xx,
    errors: result.errors,
    statusCodes,
    cpuMicrosPerCall: cpu,
  };
}

/**
 * The run with the median calls/s (the upper one of an even count). Other processes on the
 * machine slow single runs down by tens of percent; the median of interleaved runs does not
 * move with one disturbed run.
 */
function medianRun(runs: readonly LoadFigures[]): LoadFigures {
  const sorted = [...runs].sort((a, b) => a.callsPerSecond - b.callsPerSecond);
  const median = sorted[Math.floor(sorted.length / 2)];
  if (!median) throw new Error('no bench round ran');
  return median;
}

/** One round's API calls/s over its bare endpoint's. */
export function roundRatio(round: BenchRound): number {
  return round.bare.callsPerSecond === 0 ? 0 : round.api.callsPerSecond / round.bare.callsPerSecond;
}

/** The median (the upper one of an even count, as for runs). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export function buildReport(
  startedAt: Date,
  settings: BenchSettings,
  rounds: BenchRound[],
  apiCpuProfile: CpuProfileSummary | undefined,
): BenchReport {
  const api = medianRun(rounds.map((round) => round.api));
  const bare = medianRun(rounds.map((round) => round.bare));
  const ratioOfCeiling = median(rounds.map(roundRatio));
  return {
    startedAt: startedAt.toISOString(),
    settings,
    api,
    bare,
    rounds,
    ratioOfCeiling: Math.round(ratioOfCeiling * 1000) / 1000,
    target: {
      ...TARGET,
      met: {
        callsPerSecond: api.callsPerSecond >= TARGET.callsPerSecond,
        p99: api.latencyMs.p99 <= TARGET.p99Ms,
        ratioOfCeiling: ratioOfCeiling >= TARGET.ratioOfCeiling,
      },
    },
    ...(apiCpuProfile ? { apiCpuProfile } : {}),
  };
}

/** Writes `bench/results/ingest-<timestamp>.json`; returns its path. */
export function writeReport(report: BenchReport, resultsDir: string): string {
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `ingest-${report.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

function row(cells: readonly string[]): string {
  const widths = [16, 10, 14, 9, 9, 9, 14, 28];
  return cells.map((cell, index) => cell.padStart(widths[index] ?? 10)).join(' ');
}

function figuresRow(name: string, figures: LoadFigures): string {
  return row([
    name,
    String(figures.callsPerSecond),
    String(figures.recipientsPerSecond),
    String(figures.latencyMs.p50),
    String(figures.latencyMs.p99),
    String(figures.latencyMs.max),
    `${figures.non2xx}/${figures.errors}`,
    cpuCell(figures.cpuMicrosPerCall),
  ]);
}

/** `server/redis/load/total`, µs per call; `-` for a process not read. */
function cpuCell(cpu: CpuPerCall): string {
  return ['server', 'redis', 'load generator', 'total'].map((name) => cpu[name] ?? '-').join('/');
}

export function formatReport(report: BenchReport): string {
  const { settings, target } = report;
  const verdict = (met: boolean): string => (met ? 'met' : 'NOT met');
  const lines = [
    `ingest bench: ${settings.connections} connections, ${settings.rounds} round(s) of ${settings.durationSeconds} s, ` +
      `${settings.processes} process(es), ${settings.recipientsPerCall} recipients/call, ${settings.bodyBytes} B bodies, ` +
      `${settings.cpus} CPUs, node ${settings.node}, build ${settings.herald}`,
    row([
      '',
      'calls/s',
      'recipients/s',
      'p50 ms',
      'p99 ms',
      'max ms',
      'non2xx/errors',
      'CPU µs/call srv/redis/load/all',
    ]),
    ...report.rounds.flatMap((round, index) => [
      figuresRow(`round ${index + 1} API`, round.api),
      figuresRow(`round ${index + 1} bare`, round.bare),
      `    round ${index + 1} ratio ${(roundRatio(round) * 100).toFixed(1)} %`,
    ]),
    figuresRow('herald API', report.api),
    figuresRow('bare ceiling', report.bare),
    `ratio of ceiling (median of the rounds' ratios): ${(report.ratioOfCeiling * 100).toFixed(1)} %`,
    `target: >= ${target.callsPerSecond} calls/s ${verdict(target.met.callsPerSecond)}; ` +
      `p99 <= ${target.p99Ms} ms ${verdict(target.met.p99)}; ` +
      `>= ${target.ratioOfCeiling * 100} % of ceiling ${verdict(target.met.ratioOfCeiling)}`,
  ];
  if (report.apiCpuProfile) {
    lines.push(`API CPU profile (${report.apiCpuProfile.samples} samples), self time by area:`);
    for (const share of report.apiCpuProfile.byArea.slice(0, 10)) {
      lines.push(`  ${share.selfPercent.toFixed(1).padStart(5)} %  ${share.frame}`);
    }
    lines.push('top frames:');
    for (const share of report.apiCpuProfile.topFrames.slice(0, 12)) {
      lines.push(`  ${share.selfPercent.toFixed(1).padStart(5)} %  ${share.frame}`);
    }
  }
  return lines.join('\n');
}
