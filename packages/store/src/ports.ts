import type {
  Campaign,
  CampaignDefinition,
  CampaignStatus,
  CampaignVersion,
  Channel,
  Execution,
  ExecutionStatus,
  Identity,
  Profile,
  ProfileInput,
  PushToken,
  SandboxSettings,
  SandboxSettingsInput,
} from '@herald/contracts';
import type { ApiCredentialRepository, ApiKeyRepository } from './access.ports';
import type { DeliveryRepository } from './delivery.ports';
import type { EngagementRepository } from './engagement.ports';
import type { MirrorPageRepository } from './mirror-page.ports';
import type { Page, PageRequest } from './paging.ports';
import type { ShortLinkRepository } from './short-link.ports';
import type { WebhookDeliveryRepository, WebhookSubscriptionRepository } from './webhook.ports';

export type * from './access.ports';
export type * from './delivery.ports';
export type * from './engagement.ports';
export type * from './mirror-page.ports';
export type * from './paging.ports';
export type * from './short-link.ports';
export type * from './webhook.ports';

/**
 * Repository interfaces (ports). Both adapters (embedded SQLite, MongoDB) implement them and
 * pass the same contract suite (`store.contract.ts`). Timestamps are ISO-8601 strings.
 * Errors: `ConflictError` / `NotFoundError` from `@herald/errors`, with the codes documented
 * on each method; anything else is an infrastructure failure.
 */

export interface NewCampaign {
  /** Generated (UUIDv7) when omitted. */
  id?: string;
  sandbox: string;
  definition: CampaignDefinition;
}

export interface CampaignTransition {
  /** Statuses the campaign may be in for the transition to apply. */
  from: readonly CampaignStatus[];
  to: CampaignStatus;
  /** Set `liveVersion` in the same atomic step (activation, publish). */
  liveVersion?: number;
  /**
   * When given, the transition applies only if the stored `liveVersion` still equals it (null:
   * nothing live yet); otherwise it throws ConflictError `version-conflict` and changes nothing.
   * Lets a publish that read the campaign earlier not roll back a publish that landed since.
   */
  expectedLiveVersion?: number | null;
}

export interface CampaignRepository {
  /** Creates version 1 with status `draft`. */
  create(input: NewCampaign): Promise<Campaign>;
  get(sandbox: string, id: string): Promise<Campaign | null>;
  /** Sorted by id (creation order). */
  list(sandbox: string, page?: PageRequest): Promise<Page<Campaign>>;
  getVersion(sandbox: string, id: string, version: number): Promise<CampaignVersion | null>;
  /** Oldest first. */
  listVersions(sandbox: string, id: string, page?: PageRequest): Promise<Page<CampaignVersion>>;
  /**
   * Appends version `expectedLatestVersion + 1`. Throws NotFoundError `campaign-not-found`, or
   * ConflictError `version-conflict` when another writer added a version first.
   */
  addVersion(
    sandbox: string,
    id: string,
    definition: CampaignDefinition,
    expectedLatestVersion: number,
  ): Promise<Campaign>;
  /**
   * Atomic compare-and-set of the status (and of `liveVersion` when `expectedLiveVersion` is
   * given). Throws NotFoundError `campaign-not-found`, ConflictError `illegal-transition` when
   * the current status is not in `from`, or ConflictError `version-conflict` when the live
   * version is not the expected one.
   */
  transition(sandbox: string, id: string, transition: CampaignTransition): Promise<Campaign>;
}

export interface ProfileRepository {
  /** Throws ConflictError `identity-conflict` when any identity already belongs to a profile. */
  create(sandbox: string, input: ProfileInput): Promise<Profile>;
  get(sandbox: string, id: string): Promise<Profile | null>;
  /** Namespaces compare without case everywhere: they are stored lower-case. */
  findByIdentity(sandbox: string, identity: Identity): Promise<Profile | null>;
  /**
   * The profile of each identity (null when none holds it), in order, read in one store query:
   * a trigger call checks all its recipients at once.
   */
  findByIdentities(sandbox: string, identities: readonly Identity[]): Promise<Array<Profile | null>>;
  /**
   * Returns the profile holding `identity`, creating it (with `defaults`) when none does.
   * Safe under concurrency across processes: concurrent callers get the same single profile.
   */
  findOrCreateByIdentity(
    sandbox: string,
    identity: Identity,
    defaults?: Omit<ProfileInput, 'identities'>,
  ): Promise<{ profile: Profile; created: boolean }>;
  /**
   * `findOrCreateByIdentity` for many identities at once (in order; a repeated identity gets the
   * same profile), in as few store writes as the adapter allows: the worker's batched path.
   */
  findOrCreateManyByIdentity(
    sandbox: string,
    identities: readonly Identity[],
  ): Promise<Array<{ profile: Profile; created: boolean }>>;
  /**
   * Creates a profile when none of the identities is known; when all known ones belong to one
   * profile, merges into it (top-level attribute keys replaced, new identities added, other
   * given fields replaced). Throws ConflictError `identity-conflict` when they belong to two or
   * more profiles: profiles are never merged silently.
   */
  upsert(sandbox: string, input: ProfileInput): Promise<{ profile: Profile; created: boolean }>;
  delete(sandbox: string, id: string): Promise<boolean>;
  /** Sorted by id (creation order). */
  list(sandbox: string, page?: PageRequest): Promise<Page<Profile>>;
  /**
   * Profiles matching an audience query (see `audience-filter.ts` for the document it sees),
   * sorted by id. Throws ValidationError `invalid-audience-query` for a query it refuses.
   */
  match(sandbox: string, query: Record<string, unknown>, page?: PageRequest): Promise<Page<Profile>>;
  /** How many profiles match an audience query; same refusals as `match`. */
  countMatching(sandbox: string, query: Record<string, unknown>): Promise<number>;
  /**
   * Removes the push subscription with this endpoint from the profile (a push service answered
   * 404/410 for it). True when one was removed; false when the profile or endpoint is unknown.
   */
  removePushSubscription(sandbox: string, profileId: string, endpoint: string): Promise<boolean>;
  /**
   * Removes the device token from the profile, for that app and platform (FCM or APNs said the
   * token is unregistered or bad). True when one was removed.
   */
  removePushToken(sandbox: string, profileId: string, token: PushToken): Promise<boolean>;
  /** Sets consents.marketing[channel] to 'n' (idempotent); false when no such profile. */
  withdrawMarketingConsent(sandbox: string, profileId: string, channel: Channel): Promise<boolean>;
}

export interface NewExecution {
  id: string;
  sandbox: string;
  kind: Execution['kind'];
  campaignId: string;
  campaignVersion: number;
  requestId: string;
  recipientCount: number;
  createdBy?: string;
  /** Audience executions start with `targetedProfileCount` 0. */
  audienceId?: string;
  /** Default `accepted`; a call written once its jobs are in Redis starts as `queued`. */
  status?: ExecutionStatus;
  /**
   * Audience executions: the call's context, kept once here instead of in every member's job
   * (a 1 MB context to 50 members was 50 MB of Redis). Read with `getContext`, not `get`.
   */
  context?: Record<string, unknown>;
}

/** Where an audience fan-out stands: written in one step so a resumed fan-out agrees with itself. */
export interface FanOutProgress {
  /** Cursor of the next audience page; null once the last page is queued. */
  cursor: string | null;
  targetedProfileCount: number;
}

export interface ExecutionRepository {
  /** Status starts as `accepted`. */
  create(input: NewExecution): Promise<Execution>;
  get(sandbox: string, id: string): Promise<Execution | null>;
  /** The context the execution was created with; null when it has none or does not exist. */
  getContext(sandbox: string, id: string): Promise<Record<string, unknown> | null>;
  setStatus(sandbox: string, id: string, status: ExecutionStatus, error?: string): Promise<void>;
  recordFanOutProgress(sandbox: string, id: string, progress: FanOutProgress): Promise<void>;
  /** Sorted by id (creation order). */
  listByCampaign(sandbox: string, campaignId: string, page?: PageRequest): Promise<Page<Execution>>;
}

export interface Audience {
  id: string;
  sandbox: string;
  name: string;
  description?: string;
  kind: 'query' | 'static';
  /** MongoDB query over profiles, for `query` audiences. */
  query?: Record<string, unknown>;
  /** Members of a `static` audience. */
  identities?: Identity[];
  createdAt: string;
  updatedAt: string;
}

export type NewAudience = Omit<Audience, 'id' | 'createdAt' | 'updatedAt'> & { id?: string };

export interface AudienceRepository {
  create(input: NewAudience): Promise<Audience>;
  get(sandbox: string, id: string): Promise<Audience | null>;
  delete(sandbox: string, id: string): Promise<boolean>;
  list(sandbox: string, page?: PageRequest): Promise<Page<Audience>>;
}

export type ScheduleStatus = 'Scheduled' | 'Triggered' | 'Cancelled';

export interface Schedule {
  id: string;
  sandbox: string;
  campaignId: string;
  audienceId?: string;
  context?: Record<string, unknown>;
  executeAt: string;
  status: ScheduleStatus;
  executionId?: string;
  createdAt: string;
  updatedAt: string;
}

export type NewSchedule = Omit<Schedule, 'id' | 'status' | 'executionId' | 'createdAt' | 'updatedAt'> & {
  id?: string;
};

export interface ScheduleRepository {
  /** Status starts as `Scheduled`. */
  create(input: NewSchedule): Promise<Schedule>;
  get(sandbox: string, id: string): Promise<Schedule | null>;
  /**
   * Compare-and-set from `Scheduled`; returns null when the schedule is missing or no longer
   * `Scheduled` (so a cancelled schedule can never be triggered, and vice versa).
   */
  settle(
    sandbox: string,
    id: string,
    to: Exclude<ScheduleStatus, 'Scheduled'>,
    executionId?: string,
  ): Promise<Schedule | null>;
}

export type SuppressionReason =
  | 'hard-bounce'
  | 'spam-complaint'
  | 'soft-bounce-limit'
  | 'manual'
  /** The recipient used the unsubscribe link of a marketing message: marketing only stops. */
  | 'unsubscribed';

export interface Suppression {
  sandbox: string;
  channel: Channel;
  /** Normalised: e-mail addresses lower-cased, phone numbers as given (E.164). */
  address: string;
  reason: SuppressionReason;
  source: string;
  createdAt: string;
}

export interface SuppressionRepository {
  /**
   * Idempotent: adding an existing address keeps the first entry and returns it, except that a
   * `spam-complaint` entry (which spares transactional messages) is replaced by any other reason.
   */
  add(entry: Omit<Suppression, 'createdAt'>): Promise<Suppression>;
  remove(sandbox: string, channel: Channel, address: string): Promise<boolean>;
  find(sandbox: string, channel: Channel, address: string): Promise<Suppression | null>;
  /** Sorted by address. */
  list(sandbox: string, channel: Channel, page?: PageRequest): Promise<Page<Suppression>>;
}

export interface SandboxSettingsRepository {
  /** Null when the sandbox never had settings stored. */
  get(sandbox: string): Promise<SandboxSettings | null>;
  /** Replaces the sandbox's settings whole; `updatedAt` becomes now. */
  put(sandbox: string, input: SandboxSettingsInput): Promise<SandboxSettings>;
}

export interface Store {
  readonly kind: 'embedded' | 'mongodb';
  readonly campaigns: CampaignRepository;
  readonly profiles: ProfileRepository;
  readonly executions: ExecutionRepository;
  readonly deliveries: DeliveryRepository;
  readonly audiences: AudienceRepository;
  readonly schedules: ScheduleRepository;
  readonly suppressions: SuppressionRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly apiCredentials: ApiCredentialRepository;
  readonly settings: SandboxSettingsRepository;
  readonly engagement: EngagementRepository;
  readonly mirrorPages: MirrorPageRepository;
  readonly shortLinks: ShortLinkRepository;
  readonly webhookSubscriptions: WebhookSubscriptionRepository;
  readonly webhookDeliveries: WebhookDeliveryRepository;
  /** Resolves when the store answers; used by readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
