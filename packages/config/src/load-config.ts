import path from 'node:path';
import Ajv from 'ajv';
import type { Channel } from '@herald/contracts';
import { CHANNELS } from '@herald/contracts';
import { ConfigError } from '@herald/errors';
import type { ApnsProviderConfig, FcmProviderConfig, HeraldConfig, ProvidersConfig } from './config';
import {
  ENVIRONMENT_VARIABLES,
  SECRET_VARIABLES,
  environmentSchema,
  type RawConfig,
  type VariableName,
} from './environment-variables';

export type Environment = Readonly<Record<string, string | undefined>>;

const validate = new Ajv({
  allErrors: true,
  coerceTypes: true,
  useDefaults: true,
  strict: true,
}).compile<RawConfig>(environmentSchema());

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
  if (values.NODE_ENV === 'production' && values.TRACKING_KEYS && !values.TRACKER_PUBLIC_URL) {
    // The default (localhost) would put links no recipient can open into every message.
    const problem = {
      path: 'TRACKER_PUBLIC_URL',
      code: 'invalid-config',
      message: 'TRACKER_PUBLIC_URL is required in production when TRACKING_KEYS is set',
    };
    throw new ConfigError(`Invalid configuration:\n  - ${problem.message}`, [problem]);
  }
  const providers = readProviders(values, cwd);
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
      authorToolsRateLimitPerSecond: values.AUTHOR_TOOLS_RATE_LIMIT_PER_SECOND,
      queueMaxWaiting: values.QUEUE_MAX_WAITING,
      idempotencyTtlSeconds: values.IDEMPOTENCY_TTL_SECONDS,
      bullBoardReadOnly: values.BULL_BOARD_READ_ONLY,
    },
    worker: {
      queues: [...new Set(values.WORKER_QUEUES.split(','))].filter((queue): queue is Channel =>
        (CHANNELS as readonly string[]).includes(queue),
      ),
      fanOut: values.WORKER_QUEUES.split(',').includes('fanout'),
      feedbackWebhooks: values.WORKER_QUEUES.split(',').includes('webhooks'),
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
      orgId: values.HERALD_ORG_ID,
      tokenSigningKeys: values.TOKEN_SIGNING_KEYS?.split(',') ?? [],
      accessTokenTtlSeconds: values.ACCESS_TOKEN_TTL_SECONDS,
    },
    allowPrivateUrls: values.ALLOW_PRIVATE_URLS,
    providers,
    tracking: {
      keys: values.TRACKING_KEYS?.split(',') ?? [],
      publicUrl: (values.TRACKER_PUBLIC_URL ?? `http://localhost:${values.TRACKER_PORT}`).replace(/\/+$/, ''),
    },
    tracker: { host: values.TRACKER_HOST, port: values.TRACKER_PORT },
    webhooks: {
      ...(values.SENDGRID_WEBHOOK_PUBLIC_KEY
        ? { sendGridPublicKey: values.SENDGRID_WEBHOOK_PUBLIC_KEY }
        : {}),
      maxAgeSeconds: values.WEBHOOK_MAX_AGE_SECONDS,
      softBounceLimit: values.SOFT_BOUNCE_LIMIT,
    },
  };
  return deepFreeze(config);
}

/** The provider of each channel, with the settings it needs; a chosen provider missing one is an error. */
function readProviders(values: RawConfig, cwd: string): ProvidersConfig {
  const missing: ConfigProblem[] = [];
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
  const fcm = readFcm(values, missing);
  const apns = readApns(values, cwd, missing);
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
    ...(fcm ? { fcm } : {}),
    ...(apns ? { apns } : {}),
    timeoutMs: values.PROVIDER_TIMEOUT_MS,
    rateLimitPerSecond: {
      email: values.EMAIL_RATE_LIMIT_PER_SECOND,
      sms: values.SMS_RATE_LIMIT_PER_SECOND,
      push: values.PUSH_RATE_LIMIT_PER_SECOND,
    },
  };
}

type ConfigProblem = { path: string; code: string; message: string };

/** FCM is on when its service account is given; a project id alone is a mistake, not "off". */
function readFcm(values: RawConfig, problems: ConfigProblem[]): FcmProviderConfig | undefined {
  if (values.FCM_SERVICE_ACCOUNT_JSON === undefined) {
    if (values.FCM_PROJECT_ID !== undefined) {
      problems.push({
        path: 'FCM_SERVICE_ACCOUNT_JSON',
        code: 'missing-config',
        message: 'FCM_SERVICE_ACCOUNT_JSON is required when FCM_PROJECT_ID is set',
      });
    }
    return undefined;
  }
  const key = parseServiceAccount(values.FCM_SERVICE_ACCOUNT_JSON);
  const projectId = values.FCM_PROJECT_ID ?? key?.project_id;
  if (!key || typeof projectId !== 'string' || projectId === '') {
    problems.push({
      path: 'FCM_SERVICE_ACCOUNT_JSON',
      code: 'invalid-config',
      message: key
        ? 'FCM_PROJECT_ID is required: the service account names no project_id'
        : 'FCM_SERVICE_ACCOUNT_JSON must be a service account key: JSON with client_email, private_key and token_uri',
    });
    return undefined;
  }
  return {
    projectId,
    clientEmail: key.client_email,
    privateKey: key.private_key,
    tokenUrl: key.token_uri,
    apiUrl: values.FCM_API_URL,
  };
}

interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  token_uri: string;
  project_id?: unknown;
}

function parseServiceAccount(text: string): ServiceAccountKey | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const key = parsed as Record<string, unknown>;
  const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';
  if (!isText(key.client_email) || !isText(key.private_key) || !isText(key.token_uri)) return undefined;
  if (!/^https?:\/\//.test(key.token_uri)) return undefined;
  return {
    client_email: key.client_email,
    private_key: key.private_key,
    token_uri: key.token_uri,
    project_id: key.project_id,
  };
}

/** APNs is on when any of its three credentials is given, and then needs all three. */
function readApns(values: RawConfig, cwd: string, problems: ConfigProblem[]): ApnsProviderConfig | undefined {
  const names = ['APNS_TEAM_ID', 'APNS_KEY_ID', 'APNS_PRIVATE_KEY'] as const;
  const given = names.filter((name) => values[name] !== undefined);
  if (given.length === 0) return undefined;
  if (given.length < names.length) {
    const absent = names.filter((name) => values[name] === undefined);
    problems.push(
      ...absent.map((name) => ({
        path: name,
        code: 'missing-config',
        message: `${name} is required when ${given.join(' and ')} ${given.length === 1 ? 'is' : 'are'} set`,
      })),
    );
    return undefined;
  }
  return {
    teamId: values.APNS_TEAM_ID ?? '',
    keyId: values.APNS_KEY_ID ?? '',
    // Keys pasted into one-line variables often carry `\n` for their line breaks.
    privateKey: (values.APNS_PRIVATE_KEY ?? '').replace(/\\n/g, '\n'),
    productionUrl: values.APNS_URL,
    sandboxUrl: values.APNS_SANDBOX_URL,
    ...(values.APNS_CA_FILE ? { caFile: path.resolve(cwd, values.APNS_CA_FILE) } : {}),
  };
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (typeof child === 'object' && child !== null) deepFreeze(child as object);
  }
  return Object.freeze(value);
}
