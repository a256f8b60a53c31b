import { PROVIDER_VARIABLES } from './provider-variables';

/**
 * Every variable Herald reads: its JSON-schema fragment (with `description` and `default`), and
 * `secret: true` when its value must never be repeated. The single source of `loadConfig`'s
 * validation, of the raw value types below and of docs/reference/configuration.md.
 */
export const ENVIRONMENT_VARIABLES = {
  NODE_ENV: {
    type: 'string',
    enum: ['development', 'production', 'test'],
    default: 'development',
    description: 'Validated; no Herald behaviour depends on it today.',
  },
  HERALD_DATA_DIR: {
    type: 'string',
    minLength: 1,
    default: '.data',
    description:
      'Folder for local data: the embedded store, the outbox, the private Redis and the development admin key of `npm start`.',
  },
  LOG_LEVEL: {
    type: 'string',
    enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    default: 'info',
    description: 'Least severe level of the log lines a process writes.',
  },
  REDIS_URL: {
    type: 'string',
    pattern: '^rediss?://',
    default: 'redis://127.0.0.1:6379',
    description: 'Redis holding the queues; `redis://` or `rediss://` (TLS).',
  },
  QUEUE_PREFIX: {
    type: 'string',
    pattern: '^[A-Za-z0-9_.-]{1,64}$',
    default: 'herald',
    description: "Prefix of every Redis key; processes with different prefixes do not see each other's jobs.",
  },
  STORE_URL: {
    type: 'string',
    minLength: 1,
    derivedDefault: '<HERALD_DATA_DIR>/herald.sqlite',
    description:
      '`mongodb://…` or `mongodb+srv://…` selects MongoDB; anything else is the path of the embedded SQLite file.',
  },
  DELIVERY_RETENTION_DAYS: {
    type: 'integer',
    minimum: 1,
    maximum: 3650,
    default: 180,
    description:
      'Delivery records older than this are deleted (MongoDB: TTL index; embedded: pruned each time a process opens the file).',
  },
  API_HOST: {
    type: 'string',
    minLength: 1,
    default: '127.0.0.1',
    description: 'Interface the ingest API listens on; `0.0.0.0` for all interfaces (needed in containers).',
  },
  API_PORT: {
    type: 'integer',
    minimum: 0,
    maximum: 65535,
    default: 8080,
    description: 'Port of the ingest API; 0 picks a free port.',
  },
  API_MAX_BODY_BYTES: {
    type: 'integer',
    minimum: 1024,
    maximum: 104857600,
    // 20 recipients with a context at API_MAX_CONTEXT_BYTES (200 KB) each, plus the envelope.
    default: 5242880,
    description: 'Largest request body; larger bodies get `413 payload-too-large`.',
  },
  API_MAX_RECIPIENTS: {
    type: 'integer',
    minimum: 1,
    maximum: 1000,
    default: 20,
    description: 'Most recipients in one unitary or highthroughput call.',
  },
  API_MAX_CONTEXT_BYTES: {
    type: 'integer',
    minimum: 16,
    maximum: 10485760,
    default: 204800,
    description: 'Largest `context` of one recipient, measured as JSON.',
  },
  API_KEEP_ALIVE_TIMEOUT_MS: {
    type: 'integer',
    minimum: 1000,
    maximum: 120000,
    default: 65000,
    description:
      'How long an idle keep-alive connection stays open; keep it above the idle timeout of the load balancer or client pool in front.',
  },
  API_RATE_LIMIT_PER_SECOND: {
    type: 'integer',
    minimum: 0,
    maximum: 10000000,
    default: 2000,
    description:
      'Calls per second one API key may make to `/im/executions/*`, shared by every API process (0: no limit); over it: `429 rate-limited`.',
  },
  AUTHOR_TOOLS_RATE_LIMIT_PER_SECOND: {
    type: 'integer',
    minimum: 0,
    maximum: 10000,
    default: 10,
    description:
      'Previews and test-sends per second one API key may ask for (they render templates in the API process), shared by every API process (0: no limit); over it: `429 rate-limited`.',
  },
  QUEUE_MAX_WAITING: {
    type: 'integer',
    minimum: 0,
    maximum: 1000000000,
    default: 1000000,
    description:
      'Waiting jobs a channel queue may hold before unitary and highthroughput calls for it get `503 queue-full`, and audience fan-outs pause for 5 s before their next page (0: no bound).',
  },
  IDEMPOTENCY_TTL_SECONDS: {
    type: 'integer',
    minimum: 60,
    maximum: 604800,
    default: 86400,
    description: 'How long a `requestId` of a unitary or highthroughput call is remembered.',
  },
  BULL_BOARD_READ_ONLY: {
    type: 'boolean',
    default: true,
    description:
      'Bull Board at `/admin/queues` (admin key; job data redacted) is read-only unless `false`, which allows retry, clean and promote there.',
  },
  WORKER_QUEUES: {
    type: 'string',
    pattern: '^(email|sms|push|fanout|webhooks)(,(email|sms|push|fanout|webhooks))*$',
    default: 'email,sms,push,fanout,webhooks',
    description:
      'Comma-separated queues this worker serves: channels (`email`, `sms`, `push`), `fanout` (audience executions and schedules) and `webhooks` (feedback webhooks to customers).',
  },
  FANOUT_PAGE_SIZE: {
    type: 'integer',
    minimum: 1,
    maximum: 500,
    default: 500,
    description:
      'Profiles the fan-out reads from the store and queues per step, with one progress write each.',
  },
  WORKER_CONCURRENCY: {
    type: 'integer',
    minimum: 1,
    maximum: 1000,
    default: 10,
    description: 'Jobs one worker process runs at once, per queue.',
  },
  WORKER_LOCK_DURATION_MS: {
    type: 'integer',
    minimum: 1000,
    maximum: 600000,
    default: 30000,
    description:
      'How long a worker holds a job without renewing its lock; the jobs of a dead worker are taken up again after one to two of these.',
  },
  WORKER_MAX_ATTEMPTS: {
    type: 'integer',
    minimum: 1,
    maximum: 50,
    default: 5,
    description:
      'Attempts per job; retries wait 1 s, 5 s, 5 min, then 1 h each (+0–50 % jitter, at least any `Retry-After`), so the default spans over an hour. Attempts are not used while a provider breaker holds jobs back. Fixed on each job when the ingest API queues it, so set it on the API processes.',
  },
  OUTBOX_DIR: {
    type: 'string',
    minLength: 1,
    derivedDefault: '<HERALD_DATA_DIR>/outbox',
    description:
      'Folder where the outbox adapter writes messages (`email/<deliveryId>.eml`, `sms/…json`, `push/…json`), from the workers and from test sends.',
  },
  SHUTDOWN_TIMEOUT_MS: {
    type: 'integer',
    minimum: 0,
    maximum: 600000,
    default: 30000,
    description:
      'On SIGTERM or SIGINT, how long a process may take to finish its work before it exits anyway.',
  },
  HERALD_ADMIN_KEY: {
    type: 'string',
    minLength: 32,
    maxLength: 256,
    pattern: '^[\\x21-\\x7e]+$',
    secret: true,
    description:
      'Admin key stored, hashed, at start if not stored yet; unset, a key is generated and printed once when the store has none.',
  },
  API_KEY_CACHE_SECONDS: {
    type: 'integer',
    minimum: 0,
    maximum: 3600,
    default: 30,
    description:
      'How long an API process trusts a looked-up key before asking the store again, so how long a revoked key keeps working (0: every request).',
  },
  HERALD_ORG_ID: {
    type: 'string',
    pattern: '^[A-Za-z0-9@._-]{1,128}$',
    default: 'HERALD@AdobeOrg',
    description:
      'Org id of new API credentials, sent as `x-gw-ims-org-id` with their tokens (AJO: the IMS org id).',
  },
  TOKEN_SIGNING_KEYS: {
    type: 'string',
    maxLength: 4096,
    pattern: '^[\\x21-\\x2b\\x2d-\\x7e]{32,}(,[\\x21-\\x2b\\x2d-\\x7e]{32,})*$',
    secret: true,
    description:
      'HS256 keys (32+ characters, comma-separated) of the `/ims/token/v3` tokens: the first signs, all verify (rotation). Unset: no tokens.',
  },
  ACCESS_TOKEN_TTL_SECONDS: {
    type: 'integer',
    minimum: 60,
    maximum: 604800,
    default: 86400,
    description: 'Lifetime (`expires_in`) of the `/ims/token/v3` tokens.',
  },
  ALLOW_PRIVATE_URLS: {
    type: 'boolean',
    default: false,
    description:
      'Accepts push endpoints and feedback webhook URLs over `http` and on loopback, private and link-local addresses; for local development and tests only.',
  },
  TRACKING_KEYS: {
    type: 'string',
    maxLength: 4096,
    pattern: '^[\\x21-\\x2b\\x2d-\\x7e]{32,}(,[\\x21-\\x2b\\x2d-\\x7e]{32,})*$',
    secret: true,
    description:
      'HMAC keys (32+ characters, comma-separated) of the tracking links in messages: the first signs, all verify (rotation); set the same on workers and trackers. Unset: no tracking, and the tracker does not start.',
  },
  TRACKER_PUBLIC_URL: {
    type: 'string',
    maxLength: 2048,
    pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$',
    derivedDefault: 'http://localhost:<TRACKER_PORT>',
    description:
      'Base URL of the tracker as recipients reach it, put in tracked links, SMS short links, the open pixel, mirror and unsubscribe links; the API counts SMS segments with it.',
  },
  TRACKER_HOST: {
    type: 'string',
    minLength: 1,
    default: '127.0.0.1',
    description: 'Interface the tracker listens on; `0.0.0.0` for all interfaces (needed in containers).',
  },
  TRACKER_PORT: {
    type: 'integer',
    minimum: 0,
    maximum: 65535,
    default: 3100,
    description: 'Port of the tracker (opens, clicks, mirror pages, unsubscribe); 0 picks a free port.',
  },
  ...PROVIDER_VARIABLES,
} as const;

type Definitions = typeof ENVIRONMENT_VARIABLES;
export type VariableName = keyof Definitions;

/** What the definition of one variable may hold; `secret` and `derivedDefault` are not JSON schema. */
export interface VariableDefinition {
  readonly type: 'string' | 'integer' | 'boolean';
  readonly description: string;
  readonly enum?: readonly string[];
  readonly default?: string | number | boolean;
  /** Shown instead of "unset" when the default is computed from other variables. */
  readonly derivedDefault?: string;
  readonly secret?: true;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
}

/** The value a validated variable holds, from its definition. */
type ValueOf<D> = D extends { readonly enum: readonly (infer E)[] }
  ? E
  : D extends { readonly type: 'integer' }
    ? number
    : D extends { readonly type: 'boolean' }
      ? boolean
      : string;

/** The validated variables: those with a default are always present. */
export type RawConfig = {
  readonly [K in VariableName as Definitions[K] extends { readonly default: unknown } ? K : never]: ValueOf<
    Definitions[K]
  >;
} & {
  readonly [K in VariableName as Definitions[K] extends { readonly default: unknown } ? never : K]?: ValueOf<
    Definitions[K]
  >;
};

export const VARIABLE_DEFINITIONS: Readonly<Record<VariableName, VariableDefinition>> = ENVIRONMENT_VARIABLES;

/** The names whose values are never repeated in error messages. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set(
  Object.entries(VARIABLE_DEFINITIONS)
    .filter(([, definition]) => definition.secret === true)
    .map(([name]) => name),
);

/** The JSON schema of the environment: the definitions without their non-schema keys. */
export function environmentSchema(): { type: 'object'; properties: Record<string, object> } {
  const notSchema = new Set(['secret', 'derivedDefault']);
  const properties: Record<string, object> = {};
  for (const [name, definition] of Object.entries(VARIABLE_DEFINITIONS)) {
    properties[name] = Object.fromEntries(Object.entries(definition).filter(([key]) => !notSchema.has(key)));
  }
  return { type: 'object', properties };
}
