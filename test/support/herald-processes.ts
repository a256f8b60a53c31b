import path from 'node:path';
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

/** Admin key the API processes of the tests bootstrap. */
export const PROCESS_ADMIN_KEY = 'process-admin-key-0123456789abcdefghijkl';

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

/** An API process and a worker process sharing a temporary data folder, and the store they write. */
export interface HeraldSystem {
  dir: TempDir;
  env: Record<string, string>;
  apiUrl: string;
  api: ServiceProcess;
  worker: ServiceProcess;
  store: Store;
  stop(): Promise<void>;
}

export async function startHeraldSystem(name: string): Promise<HeraldSystem> {
  const dir = createTempDir(name);
  const env = await heraldEnv(name, dir.path);
  const [api, worker] = await Promise.all([startApiProcess(env), startWorkerProcess(env)]);
  const store = await openStore({ url: path.join(dir.path, 'herald.sqlite') });
  return {
    dir,
    env,
    apiUrl: `http://127.0.0.1:${env.API_PORT}`,
    api,
    worker,
    store,
    stop: async () => {
      await Promise.all([api.stop(), worker.stop()]);
      await store.close();
      dir.remove();
    },
  };
}
