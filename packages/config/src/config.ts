import type { Channel } from '@herald/contracts';

export type EmailProviderConfig =
  | { readonly kind: 'outbox' }
  | {
      readonly kind: 'sendgrid';
      readonly apiKey: string;
      readonly apiUrl: string;
      /** Most messages coalesced into one mail-send request (personalizations); 1 sends each alone. */
      readonly maxBatchSize: number;
      /** How long a message waits for others to share its request. */
      readonly batchWindowMs: number;
    }
  | { readonly kind: 'smtp'; readonly url: string };

export type SmsProviderConfig =
  | { readonly kind: 'outbox' }
  | {
      readonly kind: 'twilio';
      readonly accountSid: string;
      readonly authToken: string;
      readonly apiUrl: string;
      readonly statusCallbackUrl?: string;
    };

export type PushProviderConfig =
  | { readonly kind: 'outbox' }
  | {
      readonly kind: 'webpush';
      readonly vapidPublicKey: string;
      readonly vapidPrivateKey: string;
      readonly vapidSubject: string;
    };

/** FCM HTTP v1 with a service account; `tokenUrl` is the key's `token_uri`. */
export interface FcmProviderConfig {
  readonly projectId: string;
  readonly clientEmail: string;
  readonly privateKey: string;
  readonly tokenUrl: string;
  readonly apiUrl: string;
}

/** APNs with token-based (ES256 JWT) authentication. */
export interface ApnsProviderConfig {
  readonly teamId: string;
  readonly keyId: string;
  /** PEM of the `.p8` key. */
  readonly privateKey: string;
  readonly productionUrl: string;
  readonly sandboxUrl: string;
  /** Absolute path of extra trusted CAs (a test stand-in's). */
  readonly caFile?: string;
}

/** Which provider carries each channel, and the limits the provider account imposes. */
export interface ProvidersConfig {
  readonly email: EmailProviderConfig;
  readonly sms: SmsProviderConfig;
  readonly push: PushProviderConfig;
  /** Mobile push to `fcm` devices; absent: they go to the outbox. */
  readonly fcm?: FcmProviderConfig;
  /** Mobile push to `apns` and `apnsSandbox` devices; absent: they go to the outbox. */
  readonly apns?: ApnsProviderConfig;
  readonly timeoutMs: number;
  /** Messages per second per channel across all workers (BullMQ limiter); 0 = no limit. */
  readonly rateLimitPerSecond: Readonly<Record<Channel, number>>;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The whole configuration, read once from the environment by a service's composition root. */
export interface HeraldConfig {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly dataDir: string;
  readonly log: { readonly level: LogLevel };
  readonly redis: {
    readonly url: string;
    readonly queuePrefix: string;
  };
  readonly store: {
    /** A MongoDB URL, or the path of the embedded SQLite file. */
    readonly url: string;
    readonly deliveryRetentionDays: number;
  };
  readonly api: {
    readonly host: string;
    readonly port: number;
    readonly maxBodyBytes: number;
    readonly maxRecipients: number;
    readonly maxContextBytes: number;
    /**
     * How long an idle keep-alive connection stays open. Longer than the idle timeout of any load
     * balancer or client pool in front (60 s on common ones), so the API never closes a connection
     * at the instant a client reuses it (which fails that call with a reset, not an answer).
     */
    readonly keepAliveTimeoutMs: number;
    /** Calls per second allowed to one API key on the execution API, shared by all API processes; 0 = no limit. */
    readonly rateLimitPerSecond: number;
    /** Previews and test-sends per second allowed to one API key; 0 = no limit. */
    readonly authorToolsRateLimitPerSecond: number;
    /** Waiting jobs a channel queue may hold before trigger calls for it get 503; 0 = no bound. */
    readonly queueMaxWaiting: number;
    /** How long a requestId is remembered for idempotent replays of execution calls. */
    readonly idempotencyTtlSeconds: number;
    /** Bull Board at /admin/queues only shows jobs; when false, operators may also retry, clean and promote. */
    readonly bullBoardReadOnly: boolean;
  };
  readonly worker: {
    readonly queues: readonly Channel[];
    /** Serve the audience fan-out queue (`fanout` in WORKER_QUEUES). */
    readonly fanOut: boolean;
    /** Serve the feedback webhook queue (`webhooks` in WORKER_QUEUES). */
    readonly feedbackWebhooks: boolean;
    /** Profiles read from the store and queued per fan-out step (one progress write each). */
    readonly fanOutPageSize: number;
    readonly concurrency: number;
    /** How long a job stays locked by a worker; a dead worker's jobs are retried after this. */
    readonly lockDurationMs: number;
    readonly maxAttempts: number;
  };
  readonly outbox: { readonly dir: string };
  readonly shutdownTimeoutMs: number;
  /**
   * Accept user-supplied URLs (push endpoints, webhooks) on loopback and private networks.
   * Off by default (SSRF); tests and local development turn it on.
   */
  readonly allowPrivateUrls: boolean;
  readonly providers: ProvidersConfig;
  /** Herald's own engagement tracking: how links are signed and where they point. */
  readonly tracking: {
    /** HMAC keys of the tracking tokens: the first signs, all verify; empty when tracking is off. */
    readonly keys: readonly string[];
    /** Base URL of the tracker in messages, without a trailing slash. */
    readonly publicUrl: string;
  };
  /** The tracker process (services/tracker). */
  readonly tracker: {
    readonly host: string;
    readonly port: number;
  };
  /** Provider webhooks received by the API. */
  readonly webhooks: {
    /**
     * Verification key of SendGrid's signed event webhook, as SendGrid shows it (base64, or PEM);
     * `@herald/channels` checks it when the API starts. The webhook is refused without it.
     */
    readonly sendGridPublicKey?: string;
    /** Signed timestamps further than this from now are refused (replays of captured requests). */
    readonly maxAgeSeconds: number;
    /** Soft bounces in a row after which provider feedback suppresses an address. */
    readonly softBounceLimit: number;
  };
  readonly auth: {
    /** Admin key to make sure exists at start; when unset and none exists, one is generated and printed once. */
    readonly adminKey?: string;
    /** How long a looked-up API key is trusted before the store is asked again (revocation delay). */
    readonly keyCacheSeconds: number;
    /** Organisation id given to new API credentials (`x-gw-ims-org-id`). */
    readonly orgId: string;
    /** HS256 keys of the access tokens: the first signs, all verify; empty when no tokens are issued. */
    readonly tokenSigningKeys: readonly string[];
    readonly accessTokenTtlSeconds: number;
  };
}
