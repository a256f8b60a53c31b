import type { Channel } from '@herald/contracts';

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
  };
  readonly worker: {
    readonly queues: readonly Channel[];
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
  readonly auth: {
    /** Admin key to make sure exists at start; when unset and none exists, one is generated and printed once. */
    readonly adminKey?: string;
    /** How long a looked-up API key is trusted before the store is asked again (revocation delay). */
    readonly keyCacheSeconds: number;
  };
}
