import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon, { type Result } from 'autocannon';
import { newId } from '@herald/contracts';
import { openStore } from '@herald/store';
import { createTempDir, freePort, waitFor } from '@herald/testing';
import { LINK_LIFETIME_SECONDS, TrackingTokens, trackerUrl, type TrackedAction } from '@herald/tracking';
import type { BareRedirectOptions } from './bare-redirect';
import { cpuPerCall, cpuSeconds, type CpuPerCall } from './cpu-per-call';
import { profileDirectory, summariseCpuProfiles } from './cpu-profile';
import { startServerProcess, type ServerProcess } from './server-process';
import { positiveInteger, type Environment } from './bench-options';

const root = path.resolve(__dirname, '..', '..');
const BARE_ENTRY = path.join(__dirname, 'bare-redirect.js');
const RESULTS_DIR = path.join(root, 'bench/results');
/** Where every benchmarked click goes (nothing is fetched there: redirects are not followed). */
const LOCATION = 'https://shop.example.com/winter-sale?utm_source=herald&utm_medium=email';
/** Distinct deliveries whose links are requested in turn, so no token repeats back to back. */
const DELIVERIES = 2000;
/** A person's browser an hour after sending: the human path of the machine-hit rule. */
const USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
/** The issue's goal: the tracker serves at least this share of the bare ceiling measured in the same run. */
const TARGET_RATIO = 0.7;

type Load = 'click' | 'open';
const LOADS: readonly Load[] = ['click', 'open'];

interface BenchOptions {
  rounds: number;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  /** BENCH_CPU_PROFILE=1: the tracker runs with --cpu-prof; its hottest functions are printed. */
  cpuProfile: boolean;
  /** Keeps the `.cpuprofile` files here (BENCH_CPU_PROFILE_DIR) instead of a temporary folder. */
  cpuProfileDir: string | undefined;
  path: string;
  /** The checkout whose built tracker is measured (BENCH_HERALD_ROOT), to compare two builds. */
  heraldRoot: string;
}

function readOptions(environment: Environment): BenchOptions {
  return {
    rounds: positiveInteger(environment, 'BENCH_ROUNDS', 3),
    durationSeconds: positiveInteger(environment, 'BENCH_DURATION_SECONDS', 10),
    warmupSeconds: positiveInteger(environment, 'BENCH_WARMUP_SECONDS', 2),
    connections: positiveInteger(environment, 'BENCH_CONNECTIONS', 50),
    cpuProfile: environment.BENCH_CPU_PROFILE === '1',
    cpuProfileDir: environment.BENCH_CPU_PROFILE_DIR,
    path: environment.PATH ?? '',
    heraldRoot: environment.BENCH_HERALD_ROOT || root,
  };
}

interface Figures {
  /** Answers of the expected status (302 for clicks, 200 for opens) per second. */
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  answered: number;
  /** Any other status, and connection errors or timeouts: a run with some is not a measurement. */
  unexpected: number;
  errors: number;
  /** CPU µs per answered request of the server, the load generator (this process) and their total. */
  cpuMicrosPerRequest: CpuPerCall;
}

interface Round {
  tracker: Record<Load, Figures>;
  bare: Record<Load, Figures>;
}

/** The request paths of one load: each delivery's pixel, or its link, signed as the worker signs them. */
function paths(tokens: TrackingTokens, load: Load): string[] {
  const now = Math.floor(Date.now() / 1000) - 3600;
  const action: TrackedAction = load;
  return Array.from({ length: DELIVERIES }, (_, index) => {
    const token = tokens.sign({
      action,
      sandbox: 'prod',
      campaignId: 'bench-campaign',
      executionId: 'bench-execution',
      deliveryId: newId(),
      channel: 'email',
      issuedAt: now,
      expiresAt: now + LINK_LIFETIME_SECONDS,
      locale: 'en-US',
      ...(load === 'click' ? { linkId: String(index % 5), label: 'hero', url: LOCATION } : {}),
    });
    return new URL(trackerUrl('http://x', action, token)).pathname;
  });
}

function fire(
  url: string,
  requestPaths: readonly string[],
  connections: number,
  seconds: number,
): Promise<Result> {
  let next = 0;
  return autocannon({
    url,
    connections,
    duration: seconds,
    headers: { 'user-agent': USER_AGENT },
    requests: [
      {
        setupRequest: (request) => {
          next = (next + 1) % requestPaths.length;
          return { ...request, path: requestPaths[next] ?? '/' };
        },
      },
    ],
  });
}

/** Warms up, then measures one load: the answers and the CPU each process spent over the same window. */
async function measure(
  url: string,
  load: Load,
  requestPaths: readonly string[],
  options: BenchOptions,
  serverPid: number | undefined,
): Promise<Figures> {
  await fire(url, requestPaths, options.connections, options.warmupSeconds);
  const pids = new Map<string, number>([['load generator', process.pid]]);
  if (serverPid !== undefined) pids.set('server', serverPid);
  const before = cpuSeconds(pids);
  const result = await fire(url, requestPaths, options.connections, options.durationSeconds);
  const answered = load === 'click' ? result['3xx'] : result['2xx'];
  return {
    requestsPerSecond: Math.round(answered / result.duration),
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    answered,
    unexpected: result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'] - answered,
    errors: result.errors + result.timeouts,
    cpuMicrosPerRequest: cpuPerCall(before, cpuSeconds(pids), answered),
  };
}

/** Resolves once `url` answers at all; fails at once with the server's output if it died. */
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

interface TrackerRun {
  figures: Record<Load, Figures>;
  /** Events in the store after the tracker stopped, and hits answered (warm-ups included). */
  eventsWritten: number;
}

async function benchTracker(
  options: BenchOptions,
  key: string,
  requestPaths: Record<Load, string[]>,
  profileDir: string,
): Promise<TrackerRun> {
  const data = createTempDir('bench-tracker');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const tracker = startServerProcess(
    path.join(options.heraldRoot, 'services/tracker/dist/index.js'),
    [],
    {
      PATH: options.path,
      HERALD_DATA_DIR: data.path,
      TRACKING_KEYS: key,
      TRACKER_PORT: String(port),
      TRACKER_PUBLIC_URL: url,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    },
    options.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  );
  try {
    await waitUntilServing(`${url}/health`, tracker);
    const figures = {} as Record<Load, Figures>;
    for (const load of LOADS)
      figures[load] = await measure(url, load, requestPaths[load], options, tracker.pid);
    // Stopped before counting: the stop writes the events still waiting for their batch.
    await tracker.stop(60_000);
    const store = await openStore({ url: path.join(data.path, 'herald.sqlite') });
    try {
      const rows = await store.engagement.count(
        { sandbox: 'prod', from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' },
        { by: 'locale' },
      );
      return { figures, eventsWritten: rows.reduce((sum, row) => sum + row.total, 0) };
    } finally {
      await store.close();
    }
  } finally {
    await tracker.stop(60_000);
    data.remove();
  }
}

async function benchBare(
  options: BenchOptions,
  requestPaths: Record<Load, string[]>,
): Promise<Record<Load, Figures>> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const bareOptions: BareRedirectOptions = { port, location: LOCATION };
  const bare = startServerProcess(BARE_ENTRY, [JSON.stringify(bareOptions)], { PATH: options.path });
  try {
    await waitUntilServing(`${url}/health`, bare);
    const figures = {} as Record<Load, Figures>;
    for (const load of LOADS) figures[load] = await measure(url, load, requestPaths[load], options, bare.pid);
    return figures;
  } finally {
    await bare.stop(60_000);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

interface LoadSummary {
  trackerRequestsPerSecond: number;
  bareRequestsPerSecond: number;
  /** Median over rounds of the tracker's requests/s over the ceiling's of the same round. */
  ratioOfCeiling: number;
  trackerCpuMicrosPerRequest: number;
  bareCpuMicrosPerRequest: number;
  trackerP99Ms: number;
  bareP99Ms: number;
  targetMet: boolean;
}

/** Per load: medians over the rounds of each side's figures. */
function summarise(rounds: readonly Round[]): Record<Load, LoadSummary> {
  const one = (load: Load): LoadSummary => {
    const of = (pick: (round: Round) => number) => median(rounds.map(pick));
    const ratios = rounds.map(
      (round) => round.tracker[load].requestsPerSecond / Math.max(1, round.bare[load].requestsPerSecond),
    );
    const ratioOfCeiling = Math.round(median(ratios) * 1000) / 1000;
    return {
      trackerRequestsPerSecond: of((round) => round.tracker[load].requestsPerSecond),
      bareRequestsPerSecond: of((round) => round.bare[load].requestsPerSecond),
      ratioOfCeiling,
      trackerCpuMicrosPerRequest: of((round) => round.tracker[load].cpuMicrosPerRequest.server ?? 0),
      bareCpuMicrosPerRequest: of((round) => round.bare[load].cpuMicrosPerRequest.server ?? 0),
      trackerP99Ms: of((round) => round.tracker[load].latencyMs.p99),
      bareP99Ms: of((round) => round.bare[load].latencyMs.p99),
      targetMet: ratioOfCeiling >= TARGET_RATIO,
    };
  };
  return { click: one('click'), open: one('open') };
}

function format(summary: Record<Load, LoadSummary>): string {
  const cells = (values: readonly string[]) =>
    values.map((value, index) => value.padStart(index === 0 ? 6 : 15)).join(' ');
  return [
    cells([
      'load',
      'tracker req/s',
      'bare req/s',
      'of ceiling',
      'tracker µs/req',
      'bare µs/req',
      'tracker p99',
      'bare p99',
    ]),
    ...LOADS.map((load) => {
      const s = summary[load];
      return cells([
        load,
        String(s.trackerRequestsPerSecond),
        String(s.bareRequestsPerSecond),
        `${Math.round(s.ratioOfCeiling * 100)} %${s.targetMet ? '' : ' (< 70)'}`,
        String(s.trackerCpuMicrosPerRequest),
        String(s.bareCpuMicrosPerRequest),
        `${s.trackerP99Ms} ms`,
        `${s.bareP99Ms} ms`,
      ]);
    }),
  ].join('\n');
}

async function main(): Promise<void> {
  // The bench is its own composition root: its settings come from the environment, read here only.
  // eslint-disable-next-line no-restricted-syntax
  const options = readOptions(process.env);
  const startedAt = new Date();
  const key = randomBytes(32).toString('base64url');
  const tokens = new TrackingTokens([key]);
  const requestPaths: Record<Load, string[]> = { click: paths(tokens, 'click'), open: paths(tokens, 'open') };
  // Only profiling keeps files; otherwise the folder stays empty and temporary.
  const profileDir = profileDirectory(
    options.cpuProfile ? options.cpuProfileDir : undefined,
    'bench-profile',
  );
  const rounds: Round[] = [];
  const writes: Array<{ eventsWritten: number; answered: number }> = [];
  // Interleaved, so that a disturbance on the machine falls on both sides rather than one.
  for (let round = 1; round <= options.rounds; round += 1) {
    const label = `round ${round}/${options.rounds}`;
    const each = `${options.warmupSeconds} s warm-up + ${options.durationSeconds} s per load`;
    process.stdout.write(`${label} tracker (clicks, then opens): ${each}...\n`);
    const tracker = await benchTracker(options, key, requestPaths, profileDir.path);
    process.stdout.write(`${label} bare express ceiling (clicks, then opens): ${each}...\n`);
    const bare = await benchBare(options, requestPaths);
    for (const load of LOADS) {
      for (const [side, figures] of [
        ['tracker', tracker.figures[load]],
        ['bare', bare[load]],
      ] as const) {
        if (figures.unexpected > 0 || figures.errors > 0)
          throw new Error(
            `${side} ${load}: ${figures.unexpected} unexpected answers, ${figures.errors} errors`,
          );
      }
    }
    rounds.push({ tracker: tracker.figures, bare });
    writes.push({
      eventsWritten: tracker.eventsWritten,
      answered: LOADS.reduce((sum, load) => sum + tracker.figures[load].answered, 0),
    });
  }
  const summary = summarise(rounds);
  const profile = options.cpuProfile ? summariseCpuProfiles(profileDir.path) : undefined;
  profileDir.remove();
  const report = {
    startedAt: startedAt.toISOString(),
    settings: {
      rounds: options.rounds,
      durationSeconds: options.durationSeconds,
      warmupSeconds: options.warmupSeconds,
      connections: options.connections,
      deliveries: DELIVERIES,
      cpus: os.cpus().length,
      node: process.version,
      herald: options.heraldRoot,
    },
    target: { ratioOfCeiling: TARGET_RATIO },
    summary,
    // Every answered hit (warm-ups included) is an event once the tracker stopped: at least the measured ones.
    writes,
    rounds,
    ...(profile ? { cpuProfile: profile } : {}),
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `tracker-${report.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  const written = writes
    .map((write) => `${write.eventsWritten} events for ${write.answered} measured hits`)
    .join('; ');
  const hottest = profile
    ? `\ntracker CPU profile (self time):\n${profile.topFrames.map((frame) => `  ${String(frame.selfPercent).padStart(5)} %  ${frame.frame}`).join('\n')}\n`
    : '';
  process.stdout.write(
    `\n${format(summary)}\n\nstore writes per round: ${written}\n${hottest}figures written to ${path.relative(root, file)}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
