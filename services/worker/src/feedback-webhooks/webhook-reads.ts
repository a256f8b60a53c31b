import type { CampaignType } from '@herald/contracts';
import { CampaignVersions, type Store, type WebhookSubscriptionWithSecrets } from '@herald/store';
import { LRUCache } from 'lru-cache';

/** Sandboxes and campaigns whose reads are kept; past that the least recently used go. */
const MAX_CACHED = 10_000;

/** A store read, boxed: the cache holds no `undefined`, and "nothing there" is remembered too. */
interface Read<T> {
  value: T;
}

/** Whether a campaign posts webhooks, and what AJO's `messageType` calls it. */
export interface CampaignWebhookSettings {
  enableWebhooks: boolean;
  messageType: CampaignType;
}

interface CampaignRef {
  sandbox: string;
  campaignId: string;
}

/**
 * The store reads the webhook worker repeats for every event, kept for `ttlMs` per process:
 * a sandbox's enabled subscriptions, and a campaign's `enableWebhooks`. A subscription added,
 * changed or disabled elsewhere, or a campaign published, is seen within `ttlMs`. A failed read is
 * not remembered; concurrent misses on one key share one read.
 */
export class WebhookReads {
  private readonly subscriptions: LRUCache<string, Read<WebhookSubscriptionWithSecrets[]>>;
  private readonly campaigns: LRUCache<string, Read<CampaignWebhookSettings | null>, CampaignRef>;
  private readonly versions: CampaignVersions;

  constructor(
    private readonly store: Store,
    ttlMs: number,
  ) {
    this.versions = new CampaignVersions(store);
    this.subscriptions = new LRUCache({
      max: MAX_CACHED,
      ttl: ttlMs,
      fetchMethod: async (sandbox) => ({ value: await store.webhookSubscriptions.listEnabled(sandbox) }),
    });
    this.campaigns = new LRUCache({
      max: MAX_CACHED,
      ttl: ttlMs,
      fetchMethod: async (_key, _stale, { context }) => ({ value: await this.readCampaign(context) }),
    });
  }

  async enabledSubscriptions(sandbox: string): Promise<WebhookSubscriptionWithSecrets[]> {
    return (await this.subscriptions.fetch(sandbox))?.value ?? [];
  }

  /**
   * The subscription a call goes to: from the enabled list when it is there, else read afresh
   * (one disabled, deleted or created since the list was read); `fresh` always reads.
   */
  async subscription(
    sandbox: string,
    id: string,
    fresh: boolean,
  ): Promise<WebhookSubscriptionWithSecrets | null> {
    if (!fresh) {
      const cached = (await this.enabledSubscriptions(sandbox)).find(
        (subscription) => subscription.id === id,
      );
      if (cached) return cached;
    }
    return this.store.webhookSubscriptions.getWithSecrets(sandbox, id);
  }

  /** Forgets a sandbox's list: this process disabled one of its subscriptions. */
  forgetSubscriptions(sandbox: string): void {
    this.subscriptions.delete(sandbox);
  }

  /** Null for a campaign the store does not have. */
  async campaign(sandbox: string, campaignId: string): Promise<CampaignWebhookSettings | null> {
    const read = await this.campaigns.fetch(`${sandbox}\u0000${campaignId}`, {
      context: { sandbox, campaignId },
    });
    return read?.value ?? null;
  }

  /**
   * Read from the live version, as triggers are: a draft edit turning webhooks on takes effect
   * when published. A campaign never activated has only its latest definition.
   */
  private async readCampaign(ref: CampaignRef): Promise<CampaignWebhookSettings | null> {
    const campaign = await this.store.campaigns.get(ref.sandbox, ref.campaignId);
    if (!campaign) return null;
    const live =
      campaign.liveVersion === null
        ? null
        : await this.versions.get(ref.sandbox, ref.campaignId, campaign.liveVersion);
    const definition = live?.definition ?? campaign.definition;
    return { enableWebhooks: definition.enableWebhooks === true, messageType: definition.type };
  }
}
