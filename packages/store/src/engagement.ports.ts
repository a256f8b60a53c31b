import type { Channel } from '@herald/contracts';

/** The engagement-event port, part of `ports.ts` (re-exported from there). */

/** What happened to one delivery, as the reports over time count it. */
export type EngagementKind =
  'sent' | 'delivered' | 'bounced' | 'failed' | 'excluded' | 'opened' | 'clicked' | 'unsubscribed';

export interface EngagementEvent {
  /**
   * Unique within the sandbox: an event whose key is already stored is ignored, so a job retried
   * after a crash or a provider event delivered twice is counted once. Once-per-delivery kinds use
   * `<deliveryId>:<kind>`; opens and clicks, which repeat, use the tracker's hit id (or, reported
   * by a provider, `<deliveryId>:<kind>:<the report's time>`).
   */
  key: string;
  sandbox: string;
  campaignId: string;
  executionId: string;
  deliveryId: string;
  channel: Channel;
  kind: EngagementKind;
  /** ISO 8601, when it happened. */
  at: string;
  /** Exclusion, failure or bounce reason code. */
  reason?: string;
  /** Clicks: the link's id within the message (its position, `0`, `1`, …) and its label, if any. */
  linkId?: string;
  label?: string;
  /** Opens and clicks judged automated (mail privacy proxies, link scanners): counted apart. */
  machine?: boolean;
  /** The recipient's e-mail domain (lower case), when the channel is e-mail. */
  domain?: string;
  /** The content locale the message was rendered in. */
  locale?: string;
}

/** Which deliveries an engagement count covers: a campaign's or one execution's, over [from, to). */
export interface EngagementScope {
  sandbox: string;
  campaignId?: string;
  executionId?: string;
  /** ISO 8601, inclusive. */
  from: string;
  /** ISO 8601, exclusive. */
  to: string;
}

/**
 * What events are grouped by: fixed time buckets (`bucketSeconds` a positive whole number, else
 * RangeError), or one of the breakdown dimensions.
 */
export type EngagementGrouping =
  | { by: 'bucket'; bucketSeconds: number }
  | { by: 'link' }
  | { by: 'domain' }
  | { by: 'locale' }
  | { by: 'reason' };

export interface EngagementCountRow {
  /**
   * The group: the bucket's start (ISO 8601, buckets aligned to the Unix epoch) when grouped by
   * bucket; the link id, domain, locale or reason otherwise (null when the event has none).
   */
  group: string | null;
  kind: EngagementKind;
  machine: boolean;
  /** Grouped by link: the label of the link (the same for every event of one link id). */
  label?: string;
  /** Events. */
  total: number;
  /** Distinct deliveries among them. */
  unique: number;
}

export interface EngagementRepository {
  /**
   * Stores the events whose key is new in their sandbox, in one write; returns how many were new.
   * Safe to repeat: a retried batch stores nothing twice, and a key repeated within one batch is
   * stored once. Throws ValidationError `invalid-timestamp`, storing nothing, when an event's `at`
   * is not ISO 8601.
   */
  recordMany(events: readonly EngagementEvent[]): Promise<number>;
  /**
   * Counts of the scope's events by group, kind and machine flag: events in the scope and
   * distinct deliveries among them. Rows with no events are absent; their order is unspecified.
   * By domain: the event's `domain`, else the domain of the address on the delivery record (same
   * sandbox and delivery id, lower-case), else null; delivery records are pruned after their
   * retention, so events that outlive it should carry their domain.
   */
  count(scope: EngagementScope, grouping: EngagementGrouping): Promise<EngagementCountRow[]>;
}
