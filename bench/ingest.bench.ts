import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import autocannon, { type Result } from 'autocannon';
import { createTempDir, freePort, removeKeysUnder, waitFor } from '@herald/testing';
import { benchCampaign, RECIPIENTS_PER_CALL, unitaryBodyTemplate, type UnitaryBodyTemplate } from './body';
import type { BareEndpointOptions } from './bare-endpoint';
import { profileDirectory, summariseCpuProfiles } from './cpu-profile';
import {
  buildReport,
  formatReport,
  loadFigures,
  writeReport,
  type BenchRound,
  type BenchSettings,
} from './report';
import type { Redis } from 'ioredis';
import { createLogger } from '@herald/logger';
import { connectRedis } from '@herald/queues';
import { cpuPerCall, cpuSeconds, type CpuPerCall } from './cpu-per-call';
import { redisPid } from './redis-probe';
import { startServerProcess, type ServerProcess } from './server-process';
import { positiveInteger, type Environment } from './bench-options';

const root = path.resolve(__dirname, '..', '..');
const BARE_ENTRY = path.join(__dirname, 'bare-endpoint.js');
const CLUSTER_ENTRY = path.join(__dirname, 'cluster.js');
const RESULTS_DIR = path.join(root, 'bench/results');
const ADMIN_KEY = `bench-admin-${randomBytes(16).toString('hex')}`;
const MAX_BODY_BYTES = 1_048_576;
const MAX_ATTEMPTS = 5;

interface BenchOptions extends Omit<
  BenchSettings,
  'recipientsPerCall' | 'bodyBytes' | 'cpus' | 'node' | 'herald'
> {
  cpuProfile: boolean;
  /** Keeps the `.cpuprofile` files here instead of a temporary folder. */
  cpuProfileDir: string | undefined;
  /** Passed on to the servers so they find the same tools. */
  path: string;
  /** The checkout whose built API is measured (BENCH_HERALD_ROOT), to compare two builds on one machine. */
  heraldRoot: string;
}

function readOptions(environment: Environment): BenchOptions {
  return {
    rounds: positiveInteger(environment, 'BENCH_ROUNDS', 3),
    durationSeconds: positiveInteger(environment, 'BENCH_DURATION_SECONDS', 15),
    warmupSeconds: positiveInteger(environment, 'BENCH_WARMUP_SECONDS', 3),
    connections: positiveInteger(environment, 'BENCH_CONNECTIONS', 50),
    // One API process by default: the figure per process is what scales. With more, node's
    // cluster shares one port between them (see cluster.ts) so a single load generator and a
    // single latency histogram cover them all; the ceiling runs with as many processes.
    processes: positiveInteger(environment, 'BENCH_API_PROCESSES', 1),
    redisUrl: environment.REDIS_URL ?? 'redis://127.0.0.1:6379',
    cpuProfile: environment.BENCH_CPU_PROFILE === '1',
    cpuProfileDir: environment.BENCH_CPU_PROFILE_DIR,
    path: environment.PATH ?? '',
    heraldRoot: environment.BENCH_HERALD_ROOT || root,
  };
}

/**
 * Starts `entry` directly, or in `processes` cluster workers sharing its port (workers inherit
 * the primary's `nodeArgs`).
 */
function startServers(
  entry: string,
  processes: number,
  env: Record<string, string>,
  args: string[] = [],
  nodeArgs: string[] = [],
): ServerProcess {
  if (processes === 1) return startServerProcess(entry, args, env, nodeArgs);
  return startServerProcess(CLUSTER_ENTRY, [entry, String(processes), ...args], env, nodeArgs);
}

/** Resolves once `url` answers at all; fails at once with the server's output if it died. */
async function waitUntilServing(url: string, server: ServerProcess): Promise<void> {
  let died = false;
  await waitFor(
    async () => {
      if (server.exited()) {
        died = true;
        return true;
      }
      return (await fetch(url).catch(() => undefined)) !== undefined;
    },
    { timeoutMs: 30_000, description: `${url} to answer` },
  );
  if (died) throw new Error(`server exited before serving:\n${server.output()}`);
}

async function adminPost(url: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${ADMIN_KEY}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

/** Fires unitary calls, each with its own requestId, for `seconds`. */
async function load(
  url: string,
  template: UnitaryBodyTemplate,
  connections: number,
  seconds: number,
): Promise<Result> {
  const runId = randomBytes(4).toString('hex');
  let sequence = 0;
  return autocannon({
    url: `${url}/im/executions/unitary`,
    connections,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
    requests: [
      {
        setupRequest: (request) => {
          sequence += 1;
          return { ...request, body: template.render(`bench-${runId}-${sequence}`) };
        },
      },
    ],
  });
}

interface Measured {
  result: Result;
  cpu: CpuPerCall;
}

/**
 * Warms the JIT and the connections up, then measures: the load and the CPU each process spent
 * over the same window. The server's CPU is read only when it is one process (in a cluster the
 * primary's CPU says nothing of its workers').
 */
async function measure(
  url: string,
  template: UnitaryBodyTemplate,
  options: BenchOptions,
  serverPid: number | undefined,
  redis: Redis,
): Promise<Measured> {
  await load(url, template, options.connections, options.warmupSeconds);
  const pids = new Map<string, number>([['load generator', process.pid]]);
  if (serverPid !== undefined && options.processes === 1) pids.set('server', serverPid);
  const redisProcess = await redisPid(redis);
  if (redisProcess !== undefined) pids.set('redis', redisProcess);
  const before = cpuSeconds(pids);
  const result = await load(url, template, options.connections, options.durationSeconds);
  return { result, cpu: cpuPerCall(before, cpuSeconds(pids), result['2xx']) };
}

interface ApiRun extends Measured {
  bodyBytes: number;
  /** The cluster primary only hands out connections: its profile is left out of the summary. */
  primaryPid: number | undefined;
}

async function benchApi(options: BenchOptions, profileDir: string, redis: Redis): Promise<ApiRun> {
  const data = createTempDir('bench');
  const prefix = `bench-api-${randomBytes(4).toString('hex')}`;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const api = startServers(
    path.join(options.heraldRoot, 'services/ingest-api/dist/index.js'),
    options.processes,
    {
      PATH: options.path,
      REDIS_URL: options.redisUrl,
      QUEUE_PREFIX: prefix,
      HERALD_DATA_DIR: data.path,
      API_PORT: String(port),
      HERALD_ADMIN_KEY: ADMIN_KEY,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      // Headroom rather than 0 (off): the rate limit and queue bound checks stay on the path measured.
      API_RATE_LIMIT_PER_SECOND: '10000000',
      QUEUE_MAX_WAITING: '1000000000',
    },
    [],
    options.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  );
  try {
    await waitUntilServing(`${url}/health`, api);
    const campaign = await adminPost(`${url}/campaigns`, benchCampaign());
    await adminPost(`${url}/campaigns/${String(campaign.id)}/activate`);
    const template = unitaryBodyTemplate(String(campaign.id));
    const measured = await measure(url, template, options, api.pid, redis);
    return {
      ...measured,
      bodyBytes: template.bytes,
      primaryPid: options.processes > 1 ? api.pid : undefined,
    };
  } finally {
    await api.stop(60_000);
    // Its queues and what the API wrote beside them (idempotency records, thousands a run).
    await removeKeysUnder(options.redisUrl, [prefix]);
    data.remove();
  }
}

async function benchBare(options: BenchOptions, redis: Redis): Promise<Measured> {
  const prefix = `bench-bare-${randomBytes(4).toString('hex')}`;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const bareOptions: BareEndpointOptions = {
    redisUrl: options.redisUrl,
    queuePrefix: prefix,
    port,
    maxRecipients: RECIPIENTS_PER_CALL,
    maxBodyBytes: MAX_BODY_BYTES,
    maxAttempts: MAX_ATTEMPTS,
  };
  const bare = startServers(BARE_ENTRY, options.processes, { PATH: options.path }, [
    JSON.stringify(bareOptions),
  ]);
  try {
    await waitUntilServing(`${url}/im/executions/unitary`, bare);
    return await measure(url, unitaryBodyTemplate('bench-campaign'), options, bare.pid, redis);
  } finally {
    await bare.stop(60_000);
    // Its queues and what the API wrote beside them (idempotency records, thousands a run).
    await removeKeysUnder(options.redisUrl, [prefix]);
  }
}

async function main(): Promise<void> {
  // The bench is its own composition root: its settings come from the environment, read here only.
  // eslint-disable-next-line no-restricted-syntax
  const options = readOptions(process.env);
  const startedAt = new Date();
  // Only profiling keeps files; otherwise the folder stays empty and temporary.
  const profileDir = profileDirectory(
    options.cpuProfile ? options.cpuProfileDir : undefined,
    'bench-profile',
  );
  const redis = await connectRedis(options.redisUrl, {
    role: 'producer',
    connectionName: 'herald-bench',
    logger: createLogger({ level: 'warn', service: 'bench' }),
  });
  try {
    const rounds: BenchRound[] = [];
    let bodyBytes = 0;
    const primaryPids: number[] = [];
    // Interleaved, so that a disturbance on the machine falls on both sides rather than one.
    for (let round = 1; round <= options.rounds; round += 1) {
      const label = `round ${round}/${options.rounds}`;
      process.stdout.write(
        `${label} herald API: ${options.warmupSeconds} s warm-up + ${options.durationSeconds} s...\n`,
      );
      const api = await benchApi(options, profileDir.path, redis);
      process.stdout.write(
        `${label} bare ceiling: ${options.warmupSeconds} s warm-up + ${options.durationSeconds} s...\n`,
      );
      const bare = await benchBare(options, redis);
      rounds.push({
        api: loadFigures(api.result, RECIPIENTS_PER_CALL, api.cpu),
        bare: loadFigures(bare.result, RECIPIENTS_PER_CALL, bare.cpu),
      });
      bodyBytes = api.bodyBytes;
      if (api.primaryPid !== undefined) primaryPids.push(api.primaryPid);
    }
    const settings: BenchSettings = {
      rounds: options.rounds,
      durationSeconds: options.durationSeconds,
      warmupSeconds: options.warmupSeconds,
      connections: options.connections,
      processes: options.processes,
      recipientsPerCall: RECIPIENTS_PER_CALL,
      bodyBytes,
      redisUrl: options.redisUrl,
      cpus: os.cpus().length,
      node: process.version,
      herald: options.heraldRoot,
    };
    const report = buildReport(
      startedAt,
      settings,
      rounds,
      options.cpuProfile ? summariseCpuProfiles(profileDir.path, primaryPids) : undefined,
    );
    const file = writeReport(report, RESULTS_DIR);
    process.stdout.write(`${formatReport(report)}\nfigures written to ${path.relative(root, file)}\n`);
  } finally {
    profileDir.remove();
    redis.disconnect();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
