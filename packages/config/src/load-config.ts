import path from 'node:path';
import Ajv from 'ajv';
import type { Channel } from '@herald/contracts';
import { CHANNELS } from '@herald/contracts';
import { ConfigError } from '@herald/errors';
import type { HeraldConfig, LogLevel } from './config';

export type Environment = Readonly<Record<string, string | undefined>>;

/** Every variable Herald reads, with its schema and default: the single source for the docs table. */
export const ENVIRONMENT_VARIABLES = {
  NODE_ENV: { type: 'string', enum: ['development', 'production', 'test'], default: 'development' },
  HERALD_DATA_DIR: { type: 'string', minLength: 1, default: '.data' },
  LOG_LEVEL: {
    type: 'string',
    enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    default: 'info',
  },
  REDIS_URL: { type: 'string', pattern: '^rediss?://', default: 'redis://127.0.0.1:6379' },
  QUEUE_PREFIX: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$', default: 'herald' },
  STORE_URL: { type: 'string', minLength: 1 },
  DELIVERY_RETENTION_DAYS: { type: 'integer', minimum: 1, maximum: 3650, default: 180 },
  API_HOST: { type: 'string', minLength: 1, default: '127.0.0.1' },
  API_PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 8080 },
  API_MAX_BODY_BYTES: { type: 'integer', minimum: 1024, maximum: 104857600, default: 1048576 },
  API_MAX_RECIPIENTS: { type: 'integer', minimum: 1, maximum: 1000, default: 20 },
  API_MAX_CONTEXT_BYTES: { type: 'integer', minimum: 16, maximum: 10485760, default: 204800 },
  API_RATE_LIMIT_PER_SECOND: { type: 'integer', minimum: 0, maximum: 10000000, default: 2000 },
  QUEUE_MAX_WAITING: { type: 'integer', minimum: 0, maximum: 1000000000, default: 1000000 },
  IDEMPOTENCY_TTL_SECONDS: { type: 'integer', minimum: 60, maximum: 604800, default: 86400 },
  WORKER_QUEUES: {
    type: 'string',
    pattern: '^(email|sms|push|fanout)(,(email|sms|push|fanout))*$',
    default: 'email,sms,push,fanout',
  },
  FANOUT_PAGE_SIZE: { type: 'integer', minimum: 1, maximum: 500, default: 500 },
  WORKER_CONCURRENCY: { type: 'integer', minimum: 1, maximum: 1000, default: 10 },
  WORKER_LOCK_DURATION_MS: { type: 'integer', minimum: 1000, maximum: 600000, default: 30000 },
  WORKER_MAX_ATTEMPTS: { type: 'integer', minimum: 1, maximum: 50, default: 5 },
  OUTBOX_DIR: { type: 'string', minLength: 1 },
  SHUTDOWN_TIMEOUT_MS: { type: 'integer', minimum: 0, maximum: 600000, default: 30000 },
  HERALD_ADMIN_KEY: { type: 'string', minLength: 32, maxLength: 256, pattern: '^[\\x21-\\x7e]+$' },
  API_KEY_CACHE_SECONDS: { type: 'integer', minimum: 0, maximum: 3600, default: 30 },
  ALLOW_PRIVATE_URLS: { type: 'boolean', default: false },
} as const;

type VariableName = keyof typeof ENVIRONMENT_VARIABLES;

/** Values never repeated in error messages. */
const SECRET_VARIABLES: ReadonlySet<string> = new Set(['HERALD_ADMIN_KEY']);

interface RawConfig {
  NODE_ENV: HeraldConfig['nodeEnv'];
  HERALD_DATA_DIR: string;
  LOG_LEVEL: LogLevel;
  REDIS_URL: string;
  QUEUE_PREFIX: string;
  STORE_URL?: string;
  DELIVERY_RETENTION_DAYS: number;
  API_HOST: string;
  API_PORT: number;
  API_MAX_BODY_BYTES: number;
  API_MAX_RECIPIENTS: number;
  API_MAX_CONTEXT_BYTES: number;
  API_RATE_LIMIT_PER_SECOND: number;
  QUEUE_MAX_WAITING: number;
  IDEMPOTENCY_TTL_SECONDS: number;
  WORKER_QUEUES: string;
  FANOUT_PAGE_SIZE: number;
  WORKER_CONCURRENCY: number;
  WORKER_LOCK_DURATION_MS: number;
  WORKER_MAX_ATTEMPTS: number;
  OUTBOX_DIR?: string;
  SHUTDOWN_TIMEOUT_MS: number;
  HERALD_ADMIN_KEY?: string;
  API_KEY_CACHE_SECONDS: number;
  ALLOW_PRIVATE_URLS: boolean;
}

const validate = new Ajv({
  allErrors: true,
  coerceTypes: true,
  useDefaults: true,
  strict: true,
}).compile<RawConfig>({ type: 'object', properties: ENVIRONMENT_VARIABLES });

/**
 * Reads the variables Herald knows from `env`, validates them all at once and returns a frozen
 * config. Throws ConfigError listing every bad value, so an operator fixes them in one go.
 * Relative paths are resolved against `cwd`.
 */
export function loadConfig(env: Environment, cwd: string = process.cwd()): HeraldConfig {
  const raw: Record<string, string> = {};
  for (const name of Object.keys(ENVIRONMENT_VARIABLES) as VariableName[]) {
    const value = env[name];
    // An empty variable means "unset" (docker compose and shells produce them easily).
    if (value !== undefined && value.trim() !== '') raw[name] = value.trim();
  }
  if (!validate(raw)) {
    const problems = (validate.errors ?? []).map((error) => {
      const name = error.instancePath.replace(/^\//, '');
      return {
        path: name,
        code: 'invalid-config',
        message: `${name} ${error.message ?? 'is invalid'} (got ${SECRET_VARIABLES.has(name) ? 'a value that is not shown' : JSON.stringify(raw[name])})`,
      };
    });
    throw new ConfigError(
      `Invalid configuration:\n${problems.map((problem) => `  - ${problem.message}`).join('\n')}`,
      problems,
    );
  }
  const values = raw as unknown as RawConfig;
  const dataDir = path.resolve(cwd, values.HERALD_DATA_DIR);
  const storeUrl = values.STORE_URL ?? path.join(dataDir, 'herald.sqlite');
  const config: HeraldConfig = {
    nodeEnv: values.NODE_ENV,
    dataDir,
    log: { level: values.LOG_LEVEL },
    redis: { url: values.REDIS_URL, queuePrefix: values.QUEUE_PREFIX },
    store: {
      url: /^mongodb(\+srv)?:\/\//.test(storeUrl) ? storeUrl : path.resolve(cwd, storeUrl),
      deliveryRetentionDays: values.DELIVERY_RETENTION_DAYS,
    },
    api: {
      host: values.API_HOST,
      port: values.API_PORT,
      maxBodyBytes: values.API_MAX_BODY_BYTES,
      maxRecipients: values.API_MAX_RECIPIENTS,
      maxContextBytes: values.API_MAX_CONTEXT_BYTES,
      rateLimitPerSecond: values.API_RATE_LIMIT_PER_SECOND,
      queueMaxWaiting: values.QUEUE_MAX_WAITING,
      idempotencyTtlSeconds: values.IDEMPOTENCY_TTL_SECONDS,
    },
    worker: {
      queues: [...new Set(values.WORKER_QUEUES.split(','))].filter((queue): queue is Channel =>
        (CHANNELS as readonly string[]).includes(queue),
      ),
      fanOut: values.WORKER_QUEUES.split(',').includes('fanout'),
      fanOutPageSize: values.FANOUT_PAGE_SIZE,
      concurrency: values.WORKER_CONCURRENCY,
      lockDurationMs: values.WORKER_LOCK_DURATION_MS,
      maxAttempts: values.WORKER_MAX_ATTEMPTS,
    },
    outbox: { dir: path.resolve(cwd, values.OUTBOX_DIR ?? path.join(dataDir, 'outbox')) },
    shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_MS,
    auth: {
      ...(values.HERALD_ADMIN_KEY ? { adminKey: values.HERALD_ADMIN_KEY } : {}),
      keyCacheSeconds: values.API_KEY_CACHE_SECONDS,
    },
    allowPrivateUrls: values.ALLOW_PRIVATE_URLS,
  };
  return deepFreeze(config);
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (typeof child === 'object' && child !== null) deepFreeze(child as object);
  }
  return Object.freeze(value);
}
