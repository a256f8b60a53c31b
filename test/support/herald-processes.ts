import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES, type DeliveryJobData } from '@herald/contracts';
import { openStore, type Store } from '@herald/store';
import {
  createTempDir,
  freePort,
  startServiceProcess,
  testRedisUrl,
  uniqueQueuePrefix,
  type ServiceProcess,
  type TempDir,
} from '@herald/testing';

const root = path.resolve(__dirname, '..', '..');
export const API_ENTRY = path.join(root, 'services/ingest-api/dist/index.js');
export const WORKER_ENTRY = path.join(root, 'services/worker/dist/index.js');
export const LAUNCHER_ENTRY = path.join(root, 'services/launcher/dist/index.js');
export const TRACKER_ENTRY = path.join(root, 'services/tracker/dist/index.js');

/** Admin key the API processes of the tests bootstrap. */
export const PROCESS_ADMIN_KEY = 'process-admin-key-0123456789abcdefghijkl';

/** Tracking key of the test processes: the workers sign links with it, the tracker verifies them. */
export const PROCESS_TRACKING_KEY = 'process-tracking-key-0123456789abcdefghij';

/** Environment shared by the API and worker processes of one test file. */
export async function heraldEnv(name: string, dataDir: string, extra: Record<string, string> = {}) {
  return {
    REDIS_URL: testRedisUrl(process.env),
    QUEUE_PREFIX: uniqueQueuePrefix(name),
    HERALD_DATA_DIR: dataDir,
    API_PORT: String(await freePort()),
    LOG_LEVEL: 'info',
    NODE_ENV: 'test',
    HERALD_ADMIN_KEY: PROCESS_ADMIN_KEY,
    AUTHOR_TOOLS_RATE_LIMIT_PER_SECOND: '0',
    ...extra,
  };
}

export async function startApiProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const api = startServiceProcess(API_ENTRY, env, process.env);
  await api.waitForLog((line) => line.msg === 'ingest-api listening');
  return api;
}

export async function startWorkerProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const worker = startServiceProcess(WORKER_ENTRY, env, process.env);
  await worker.waitForLog((line) => line.msg === 'worker ready');
  return worker;
}

/** The environment a tracker needs beside `heraldEnv`'s: the key and a port of its own. */
export async function trackerEnv(): Promise<{
  TRACKING_KEYS: string;
  TRACKER_PORT: string;
  TRACKER_PUBLIC_URL: string;
}> {
  const port = await freePort();
  return {
    TRACKING_KEYS: PROCESS_TRACKING_KEY,
    TRACKER_PORT: String(port),
    TRACKER_PUBLIC_URL: `http://127.0.0.1:${port}`,
  };
}

export async function startTrackerProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const tracker = startServiceProcess(TRACKER_ENTRY, env, process.env);
  await tracker.waitForLog((line) => line.msg === 'tracker listening');
  return tracker;
}

export interface JsonResponse {
  status: number;
  body: Record<string, unknown>;
}

export async function postJson(url: string, body?: unknown): Promise<JsonResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${PROCESS_ADMIN_KEY}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function getJson(url: string): Promise<JsonResponse> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${PROCESS_ADMIN_KEY}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Creates and activates a campaign through the API; returns its id. */
export async function createLiveCampaign(apiUrl: string, definition: unknown): Promise<string> {
  const created = await postJson(`${apiUrl}/campaigns`, definition);
  if (created.status !== 201) throw new Error(`create failed: ${JSON.stringify(created.body)}`);
  const id = String(created.body.id);
  const activated = await postJson(`${apiUrl}/campaigns/${id}/activate`);
  if (activated.status !== 200) throw new Error(`activate failed: ${JSON.stringify(activated.body)}`);
  return id;
}

/**
 * An API process and a worker process (and, when asked, a tracker) sharing a temporary data
 * folder, and the store they write.
 */
export interface HeraldSystem {
  dir: TempDir;
  env: Record<string, string>;
  apiUrl: string;
  api: ServiceProcess;
  worker: ServiceProcess;
  /** Present with `{ tracker: true }`; the worker then signs links for it. */
  tracker?: ServiceProcess;
  trackerUrl?: string;
  store: Store;
  stop(): Promise<void>;
}

export async function startHeraldSystem(
  name: string,
  extraEnv: Record<string, string> = {},
  options: { tracker?: boolean } = {},
): Promise<HeraldSystem> {
  const dir = createTempDir(name);
  const env: Record<string, string> = await heraldEnv(name, dir.path, {
    ...(options.tracker ? await trackerEnv() : {}),
    ...extraEnv,
  });
  const [api, worker, tracker] = await Promise.all([
    startApiProcess(env),
    startWorkerProcess(env),
    options.tracker ? startTrackerProcess(env) : undefined,
  ]);
  const store = await openStore({ url: path.join(dir.path, 'herald.sqlite') });
  return {
    dir,
    env,
    apiUrl: `http://127.0.0.1:${env.API_PORT}`,
    api,
    worker,
    ...(tracker ? { tracker, trackerUrl: env.TRACKER_PUBLIC_URL } : {}),
    store,
    stop: async () => {
      await Promise.all([api.stop(), worker.stop(), tracker?.stop()]);
      await store.close();
      dir.remove();
    },
  };
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export interface CallOptions {
  method?: 'GET' | 'POST';
  /** Sent as `x-api-key`; the admin key when absent. */
  key?: string;
  /** Sent as is, so that several calls carry the very same bytes. */
  body?: string;
}

/**
 * Two API processes of one deployment: one embedded store file, one Redis and one queue
 * prefix, each on its own port. The test reads what they wrote through its own store and
 * queue connections.
 */
export interface ApiProcesses {
  dir: TempDir;
  prefix: string;
  processes: [ServiceProcess, ServiceProcess];
  ports: readonly [number, number];
  store: Store;
  emailQueue: Queue<DeliveryJobData>;
  /** Calls API process `index` (0 or 1). */
  call(index: 0 | 1, route: string, options?: CallOptions): Promise<HttpAnswer>;
  close(): Promise<void>;
}

export async function startApiProcesses(
  name: string,
  extraEnv: Record<string, string> = {},
): Promise<ApiProcesses> {
  const dir = createTempDir(name);
  const env = await heraldEnv(name, dir.path, extraEnv);
  const ports = [Number(env.API_PORT), await freePort()] as const;
  const started: ServiceProcess[] = [];
  let store: Store | undefined;
  let connection: Redis | undefined;
  let emailQueue: Queue<DeliveryJobData> | undefined;

  // Tolerates a set-up that failed halfway, so that a failed start leaks no process or connection.
  const close = async () => {
    await Promise.all(started.map((service) => service.stop()));
    await emailQueue?.close();
    connection?.disconnect();
    await store?.close();
    dir.remove();
  };

  const start = async (port: number) => {
    const api = startServiceProcess(API_ENTRY, { ...env, API_PORT: String(port) }, process.env);
    started.push(api);
    await api.waitForLog((line) => line.msg === 'ingest-api listening');
    return api;
  };

  try {
    // One after the other: the first creates the store file and the admin key the second finds.
    const first = await start(ports[0]);
    const second = await start(ports[1]);
    store = await openStore({ url: path.join(dir.path, 'herald.sqlite') });
    connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
    emailQueue = new Queue<DeliveryJobData>(QUEUE_NAMES.email, { connection, prefix: env.QUEUE_PREFIX });
    return {
      dir,
      prefix: env.QUEUE_PREFIX,
      processes: [first, second],
      ports,
      store,
      emailQueue,
      call: async (index, route, options = {}) => {
        const response = await fetch(`http://127.0.0.1:${ports[index]}${route}`, {
          method: options.method ?? 'POST',
          headers: {
            'x-api-key': options.key ?? PROCESS_ADMIN_KEY,
            ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: options.body,
        });
        const text = await response.text();
        return {
          status: response.status,
          headers: response.headers,
          body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
        };
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
