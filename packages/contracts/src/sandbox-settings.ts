import type { Channel } from './campaign';

/** At most `max` marketing messages per profile on one channel within a sliding `periodSeconds`. */
export interface FrequencyCap {
  max: number;
  periodSeconds: number;
}

/**
 * A daily window in which marketing messages are not sent, in the profile's time zone (else
 * `timezone`). `start` > `end` spans midnight (21:00 → 08:00). `weekdays` (0 = Sunday) lists the
 * days on which a window starts; every day when absent.
 */
export interface QuietHours {
  start: string;
  end: string;
  weekdays?: number[];
  /** IANA zone used when the profile has none. */
  timezone: string;
  /** `defer` holds the message until the window ends; `discard` excludes it (`quiet-hours`). */
  action: 'defer' | 'discard';
}

export interface SmsSettings {
  /** ISO 3166 alpha-2 region national numbers (written without `+`) are read in. */
  defaultRegion?: string;
}

/** How the execution API deduplicates the sandbox's trigger calls. */
export interface IdempotencySettings {
  /**
   * `requestId` in the body is an idempotency key (default true). Off for callers that reuse
   * requestIds for different sends; the `x-request-id` header still deduplicates.
   */
  bodyRequestId: boolean;
}

/** Delivery policy of one sandbox; marketing campaigns obey it, transactional ones ignore it. */
export interface SandboxSettings {
  sandbox: string;
  frequencyCaps: Partial<Record<Channel, FrequencyCap>>;
  quietHours?: QuietHours;
  idempotency?: IdempotencySettings;
  sms?: SmsSettings;
  updatedAt: string;
}

export type SandboxSettingsInput = Omit<SandboxSettings, 'sandbox' | 'updatedAt'>;
