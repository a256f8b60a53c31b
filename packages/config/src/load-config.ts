import path from 'node:path';
import Ajv from 'ajv';
import type { Channel } from '@herald/contracts';
import { CHANNELS } from '@herald/contracts';
import { ConfigError } from '@herald/errors';
import type { HeraldConfig, LogLevel, ProvidersConfig } from './config';
import { sendGridWebhookKeyPem } from './webhook-key';

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
  API_KEEP_ALIVE_TIMEOUT_MS: { type: 'integer', minimum: 1000, maximum: 120000, default: 65000 },
  API_RATE_LIMIT_PER_SECOND: { type: 'integer', minimum: 0, maximum: 10000000, default: 2000 },
  QUEUE_MAX_WAITING: { type: 'integer', minimum: 0, maximum: 1000000000, default: 1000000 },
  IDEMPOTENCY_TTL_SECONDS: { type: 'integer', minimum: 60, maximum: 604800, default: 86400 },
  BULL_BOARD_READ_ONLY: { type: 'boolean', default: true },
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
  EMAIL_PROVIDER: { type: 'string', enum: ['outbox', 'sendgrid', 'smtp'], default: 'outbox' },
  SMS_PROVIDER: { type: 'string', enum: ['outbox', 'twilio'], default: 'outbox' },
  PUSH_PROVIDER: { type: 'string', enum: ['outbox', 'webpush'], default: 'outbox' },
  SENDGRID_API_KEY: { type: 'string', minLength: 1, maxLength: 512 },
  SENDGRID_API_URL: { type: 'string', pattern: '^https?://', default: 'https://api.sendgrid.com' },
  SENDGRID_MAX_BATCH_SIZE: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  SENDGRID_BATCH_WINDOW_MS: { type: 'integer', minimum: 0, maximum: 1000, default: 2 },
  SENDGRID_WEBHOOK_PUBLIC_KEY: { type: 'string', minLength: 40, maxLength: 1000 },
  WEBHOOK_MAX_AGE_SECONDS: { type: 'integer', minimum: 10, maximum: 86400, default: 600 },
  SOFT_BOUNCE_LIMIT: { type: 'integer', minimum: 1, maximum: 20, default: 5 },
  SMTP_URL: { type: 'string', pattern: '^smtps?://' },
  TWILIO_ACCOUNT_SID: { type: 'string', pattern: '^AC[0-9a-fA-F]{32}$' },
  TWILIO_AUTH_TOKEN: { type: 'string', minLength: 1, maxLength: 256 },
  TWILIO_API_URL: { type: 'string', pattern: '^https?://', default: 'https://api.twilio.com' },
  TWILIO_STATUS_CALLBACK_URL: { type: 'string', pattern: '^https?://' },
  VAPID_PUBLIC_KEY: { type: 'string', pattern: '^[A-Za-z0-9_-]{80,100}$' },
  VAPID_PRIVATE_KEY: { type: 'string', pattern: '^[A-Za-z0-9_-]{40,50}$' },
  VAPID_SUBJECT: { type: 'string', pattern: '^(mailto:|https://)' },
  PROVIDER_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 120000, default: 10000 },
  EMAIL_RATE_LIMIT_PER_SECOND: { type: 'integer', minimum: 0, maximum: 1000000, default: 0 },
  SMS_RATE_LIMIT_PER_SECOND: { type: 'integer', minimum: 0, maximum: 1000000, default: 0 },
  PUSH_RATE_LIMIT_PER_SECOND: { type: 'integer', minimum: 0, maximum: 1000000, default: 0 },
} as const;

type VariableName = keyof typeof ENVIRONMENT_VARIABLES;

/** Values never repeated in error messages. */
const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'HERALD_ADMIN_KEY',
  'SENDGRID_API_KEY',
  'SMTP_URL',
  'TWILIO_AUTH_TOKEN',
  'VAPID_PRIVATE_KEY',
]);

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
  API_KEEP_ALIVE_TIMEOUT_MS: number;
  API_RATE_LIMIT_PER_SECOND: number;
  QUEUE_MAX_WAITING: number;
  IDEMPOTENCY_TTL_SECONDS: number;
  BULL_BOARD_READ_ONLY: boolean;
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
  EMAIL_PROVIDER: 'outbox' | 'sendgrid' | 'smtp';
  SMS_PROVIDER: 'outbox' | 'twilio';
  PUSH_PROVIDER: 'outbox' | 'webpush';
  SENDGRID_API_KEY?: string;
  SENDGRID_API_URL: string;
  SENDGRID_MAX_BATCH_SIZE: number;
  SENDGRID_BATCH_WINDOW_MS: number;
  SENDGRID_WEBHOOK_PUBLIC_KEY?: string;
  WEBHOOK_MAX_AGE_SECONDS: number;
  SOFT_BOUNCE_LIMIT: number;
  SMTP_URL?: string;
  TWILIO_ACCOUNT_SID?: string;
  TWILIO_AUTH_TOKEN?: string;
  TWILIO_API_URL: string;
  TWILIO_STATUS_CALLBACK_URL?: string;
  VAPID_PUBLIC_KEY?: string;
  VAPID_PRIVATE_KEY?: string;
  VAPID_SUBJECT?: string;
  PROVIDER_TIMEOUT_MS: number;
  EMAIL_RATE_LIMIT_PER_SECOND: number;
  SMS_RATE_LIMIT_PER_SECOND: number;
  PUSH_RATE_LIMIT_PER_SECOND: number;
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
  const providers = readProviders(values);
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
      keepAliveTimeoutMs: values.API_KEEP_ALIVE_TIMEOUT_MS,
      rateLimitPerSecond: values.API_RATE_LIMIT_PER_SECOND,
      queueMaxWaiting: values.QUEUE_MAX_WAITING,
      idempotencyTtlSeconds: values.IDEMPOTENCY_TTL_SECONDS,
      bullBoardReadOnly: values.BULL_BOARD_READ_ONLY,
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
    providers,
    webhooks: {
      ...(values.SENDGRID_WEBHOOK_PUBLIC_KEY
        ? { sendGridPublicKey: sendGridWebhookKeyPem(values.SENDGRID_WEBHOOK_PUBLIC_KEY) }
        : {}),
      maxAgeSeconds: values.WEBHOOK_MAX_AGE_SECONDS,
      softBounceLimit: values.SOFT_BOUNCE_LIMIT,
    },
  };
  return deepFreeze(config);
}

/** The provider of each channel, with the settings it needs; a chosen provider missing one is an error. */
function readProviders(values: RawConfig): ProvidersConfig {
  const missing: Array<{ path: string; code: string; message: string }> = [];
  const need = (name: keyof RawConfig, provider: string): string => {
    const value = values[name];
    if (typeof value !== 'string') {
      missing.push({
        path: name,
        code: 'missing-config',
        message: `${name} is required when ${provider} is chosen`,
      });
      return '';
    }
    return value;
  };
  const email: ProvidersConfig['email'] =
    values.EMAIL_PROVIDER === 'sendgrid'
      ? {
          kind: 'sendgrid',
          apiKey: need('SENDGRID_API_KEY', 'EMAIL_PROVIDER=sendgrid'),
          apiUrl: values.SENDGRID_API_URL,
          maxBatchSize: values.SENDGRID_MAX_BATCH_SIZE,
          batchWindowMs: values.SENDGRID_BATCH_WINDOW_MS,
        }
      : values.EMAIL_PROVIDER === 'smtp'
        ? { kind: 'smtp', url: need('SMTP_URL', 'EMAIL_PROVIDER=smtp') }
        : { kind: 'outbox' };
  const sms: ProvidersConfig['sms'] =
    values.SMS_PROVIDER === 'twilio'
      ? {
          kind: 'twilio',
          accountSid: need('TWILIO_ACCOUNT_SID', 'SMS_PROVIDER=twilio'),
          authToken: need('TWILIO_AUTH_TOKEN', 'SMS_PROVIDER=twilio'),
          apiUrl: values.TWILIO_API_URL,
          ...(values.TWILIO_STATUS_CALLBACK_URL
            ? { statusCallbackUrl: values.TWILIO_STATUS_CALLBACK_URL }
            : {}),
        }
      : { kind: 'outbox' };
  const push: ProvidersConfig['push'] =
    values.PUSH_PROVIDER === 'webpush'
      ? {
          kind: 'webpush',
          vapidPublicKey: need('VAPID_PUBLIC_KEY', 'PUSH_PROVIDER=webpush'),
          vapidPrivateKey: need('VAPID_PRIVATE_KEY', 'PUSH_PROVIDER=webpush'),
          vapidSubject: need('VAPID_SUBJECT', 'PUSH_PROVIDER=webpush'),
        }
      : { kind: 'outbox' };
  if (missing.length > 0) {
    throw new ConfigError(
      `Invalid configuration:\n${missing.map((problem) => `  - ${problem.message}`).join('\n')}`,
      missing,
    );
  }
  return {
    email,
    sms,
    push,
    timeoutMs: values.PROVIDER_TIMEOUT_MS,
    rateLimitPerSecond: {
      email: values.EMAIL_RATE_LIMIT_PER_SECOND,
      sms: values.SMS_RATE_LIMIT_PER_SECOND,
      push: values.PUSH_RATE_LIMIT_PER_SECOND,
    },
  };
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (typeof child === 'object' && child !== null) deepFreeze(child as object);
  }
  return Object.freeze(value);
}
