import { Queue } from 'bullmq';
import request from 'supertest';
import { Redis } from 'ioredis';
import pino from 'pino';
import { loadConfig, type HeraldConfig } from '@herald/config';
import { QUEUE_NAMES } from '@herald/contracts';
import type { Logger } from '@herald/logger';
import { openStore, type ApiKey, type ApiKeyRole, type Store } from '@herald/store';
import { createTempDir, testRedisUrl, uniqueQueuePrefix, type TempDir } from '@herald/testing';
import { hashApiKey } from '../src/auth/api-key-secret';
import { buildApi, type ApiRuntime } from '../src/index';

/** The API wired for real (Redis, embedded store in a temp dir), driven in-process by supertest. */
/** The admin key every harness bootstraps (roles admin, manage, execute; all sandboxes). */
export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdefghijklmnop';

export interface ApiHarness {
  runtime: ApiRuntime;
  /** A supertest agent that sends the admin key on every request. */
  api: ReturnType<typeof request.agent>;
  adminKey: string;
  config: HeraldConfig;
  store: Store;
  emailQueue: Queue;
  dir: TempDir;
  /** Stores an API key whose secret is `key`, as an admin would have created it. */
  addApiKey(key: string, grant: ApiKeyGrant): Promise<ApiKey>;
  close(): Promise<void>;
}

/** What a test key may do: its roles, in which sandboxes, under a name for the key list. */
export interface ApiKeyGrant {
  name: string;
  roles: ApiKeyRole[];
  sandboxes: string[];
  /** Campaign access labels the key holds (none when absent). */
  labels?: string[];
}

/** `logger` receives the API's log lines (none are written by default). */
export async function startApiHarness(
  name: string,
  env: Record<string, string> = {},
  logger: Logger = pino({ level: 'silent' }),
): Promise<ApiHarness> {
  const dir = createTempDir(name);
  const config = loadConfig({
    REDIS_URL: testRedisUrl(process.env),
    QUEUE_PREFIX: uniqueQueuePrefix(name),
    HERALD_DATA_DIR: dir.path,
    LOG_LEVEL: 'silent',
    HERALD_ADMIN_KEY: TEST_ADMIN_KEY,
    // Tests preview and test-send in quick runs; the limit has its own test (limits.int.test.ts).
    AUTHOR_TOOLS_RATE_LIMIT_PER_SECOND: '0',
    ...env,
  });
  const runtime = await buildApi(config, logger);
  const store = await openStore({ url: config.store.url });
  const connection = new Redis(config.redis.url, { maxRetriesPerRequest: null });
  const emailQueue = new Queue(QUEUE_NAMES.email, { connection, prefix: config.redis.queuePrefix });
  return {
    runtime,
    api: request.agent(runtime.app).set('authorization', `Bearer ${TEST_ADMIN_KEY}`),
    adminKey: TEST_ADMIN_KEY,
    config,
    store,
    emailQueue,
    dir,
    addApiKey: (key, grant) => store.apiKeys.create({ ...grant, hash: hashApiKey(key) }),
    close: async () => {
      await emailQueue.obliterate({ force: true });
      await emailQueue.close();
      connection.disconnect();
      await store.close();
      await runtime.close();
      dir.remove();
    },
  };
}
