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

const API_ENTRY = path.resolve(__dirname, '../dist/index.js');

/** The admin key both processes bootstrap into their shared store. */
export const PROCESSES_ADMIN_KEY = 'processes-admin-key-0123456789abcdefghij';

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
 * Two `node services/ingest-api/dist/index.js` processes of one deployment: one embedded store
 * file, one Redis and one queue prefix, each on its own port. The test reads what they wrote
 * through its own store and queue connections.
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
  const prefix = uniqueQueuePrefix(name);
  const ports = [await freePort(), await freePort()] as const;
  const started: ServiceProcess[] = [];
  let store: Store | undefined;
  let connection: Redis | undefined;
  let emailQueue: Queue<DeliveryJobData> | undefined;

  // Tolerates a set-up that failed halfway, so that a failed start leaks no process or connection.
  const close = async () => {
    await Promise.all(started.map((service) => service.stop()));
    if (connection) {
      // The idempotency records and rate-limit counters live beside the queues, under the prefix.
      for await (const keys of connection.scanStream({ match: `${prefix}:*`, count: 500 })) {
        const batch = keys as string[];
        if (batch.length > 0) await connection.del(...batch);
      }
    }
    await emailQueue?.close();
    connection?.disconnect();
    await store?.close();
    dir.remove();
  };

  const start = async (port: number) => {
    const env = {
      REDIS_URL: testRedisUrl(process.env),
      QUEUE_PREFIX: prefix,
      HERALD_DATA_DIR: dir.path,
      API_PORT: String(port),
      LOG_LEVEL: 'info',
      NODE_ENV: 'test',
      HERALD_ADMIN_KEY: PROCESSES_ADMIN_KEY,
      ...extraEnv,
    };
    const api = startServiceProcess(API_ENTRY, env, process.env);
    started.push(api);
    await api.waitForLog((line) => line.msg === 'ingest-api listening');
    return api;
  };

  try {
    // One after the other: the first creates the store file and the admin key the second finds.
    const first = await start(ports[0]);
    const second = await start(ports[1]);
    store = await openStore({ url: path.join(dir.path, 'herald.sqlite') });
    connection = new Redis(testRedisUrl(process.env), { maxRetriesPerRequest: null });
    emailQueue = new Queue<DeliveryJobData>(QUEUE_NAMES.email, { connection, prefix });
    return {
      dir,
      prefix,
      processes: [first, second],
      ports,
      store,
      emailQueue,
      call: async (index, route, options = {}) => {
        const response = await fetch(`http://127.0.0.1:${ports[index]}${route}`, {
          method: options.method ?? 'POST',
          headers: {
            'x-api-key': options.key ?? PROCESSES_ADMIN_KEY,
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
