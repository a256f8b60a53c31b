import type {
  CampaignDefinition,
  Channel,
  ExclusionReason,
  Profile,
  SandboxSettings,
} from '@herald/contracts';
import type { Campaign } from '@herald/contracts';
import { hasMarketingConsent, quietHoursEnd } from '@herald/messages';
import type { Store } from '@herald/store';
import { LRUCache } from 'lru-cache';
import type { FrequencyCaps } from './frequency-cap';

export type Verdict =
  { kind: 'go' } | { kind: 'exclude'; reason: ExclusionReason } | { kind: 'defer'; until: Date };

const GO: Verdict = { kind: 'go' };

/** Statuses in which a campaign no longer sends what was queued for it. */
const ENDED_STATUSES = new Set(['stopped', 'completed', 'archived']);

/** Campaigns and sandboxes whose reads are kept; past that the least recently used go. */
const MAX_CACHED = 10_000;

export interface DeliveryPolicyOptions {
  /** How stale a campaign's status or a sandbox's settings may be (ms, above 0). */
  cacheTtlMs: number;
}

/** A store read, boxed: the cache holds no `null`, and "not found" is remembered too. */
interface Read<T> {
  value: T | null;
}

interface CampaignRef {
  sandbox: string;
  campaignId: string;
}

/**
 * The rules that decide whether a rendered-and-addressed recipient may be sent to now.
 * Campaign status and sandbox settings are cached for a few seconds per process: a campaign
 * stopped now stops sending within `cacheTtlMs` on every worker.
 */
export class DeliveryPolicy {
  // `fetch` reads through: concurrent misses on one key share one store read, and a failed read
  // is not remembered (the next message tries again).
  private readonly campaignsCache: LRUCache<string, Read<Campaign>, CampaignRef>;
  private readonly settingsCache: LRUCache<string, Read<SandboxSettings>>;

  constructor(
    store: Store,
    private readonly caps: FrequencyCaps,
    options: DeliveryPolicyOptions,
  ) {
    this.campaignsCache = new LRUCache({
      max: MAX_CACHED,
      ttl: options.cacheTtlMs,
      fetchMethod: async (_key, _stale, { context }) => ({
        value: await store.campaigns.get(context.sandbox, context.campaignId),
      }),
    });
    this.settingsCache = new LRUCache({
      max: MAX_CACHED,
      ttl: options.cacheTtlMs,
      fetchMethod: async (sandbox) => ({ value: await store.settings.get(sandbox) }),
    });
  }

  /** Stopped, completed or archived since the call, or past the end of its schedule. */
  async campaignEnded(sandbox: string, campaignId: string, definition: CampaignDefinition, now: Date) {
    const read = await this.campaignsCache.fetch(`${sandbox}\u0000${campaignId}`, {
      context: { sandbox, campaignId },
    });
    const campaign = read?.value;
    if (!campaign || ENDED_STATUSES.has(campaign.status)) return true;
    const end = definition.schedule?.end;
    return end !== undefined && Date.parse(end) <= now.getTime();
  }

  /** Consent and quiet hours: marketing only, checked before the message is rendered. */
  async beforeRender(
    sandbox: string,
    definition: CampaignDefinition,
    profile: Profile | null,
    now: Date,
  ): Promise<Verdict> {
    if (definition.type !== 'marketing') return GO;
    if (!hasMarketingConsent(profile, definition.channel)) {
      return { kind: 'exclude', reason: 'no-marketing-consent' };
    }
    const quiet = (await this.settings(sandbox))?.quietHours;
    if (!quiet) return GO;
    const until = quietHoursEnd(quiet, profile?.timezone, now);
    if (!until) return GO;
    return quiet.action === 'defer' ? { kind: 'defer', until } : { kind: 'exclude', reason: 'quiet-hours' };
  }

  /**
   * Takes a place under the sandbox's frequency cap for marketing messages (after the
   * suppression check, so a suppressed recipient never uses one).
   */
  async takeFrequencyCap(
    sandbox: string,
    definition: CampaignDefinition,
    profile: Profile | null,
    deliveryId: string,
  ): Promise<{ kind: 'go'; taken: boolean } | { kind: 'exclude'; reason: ExclusionReason }> {
    const none = { kind: 'go', taken: false } as const;
    if (definition.type !== 'marketing' || !profile) return none;
    const cap = (await this.settings(sandbox))?.frequencyCaps[definition.channel];
    if (!cap) return none;
    const allowed = await this.caps.take(sandbox, profile.id, definition.channel, cap, deliveryId);
    return allowed ? { kind: 'go', taken: true } : { kind: 'exclude', reason: 'frequency-capped' };
  }

  /** Gives back the frequency-cap place of a message that was finally not sent. */
  async releaseCap(sandbox: string, channel: Channel, profileId: string, deliveryId: string): Promise<void> {
    await this.caps.release(sandbox, profileId, channel, deliveryId);
  }

  /** The sandbox's SMS default region (cached like the rest of its settings). */
  async sandboxSmsRegion(sandbox: string): Promise<string | undefined> {
    return (await this.settings(sandbox))?.sms?.defaultRegion;
  }

  private async settings(sandbox: string): Promise<SandboxSettings | null> {
    return (await this.settingsCache.fetch(sandbox))?.value ?? null;
  }
}
