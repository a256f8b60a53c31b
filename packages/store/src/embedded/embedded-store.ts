import type { Store } from '../ports';
import { EmbeddedApiCredentialRepository } from './api-credential.repository';
import { EmbeddedApiKeyRepository } from './api-key.repository';
import { EmbeddedAudienceRepository } from './audience.repository';
import { EmbeddedCampaignRepository } from './campaign.repository';
import { openDatabase } from './database';
import { EmbeddedDeliveryRepository } from './delivery.repository';
import { EmbeddedEngagementRepository } from './engagement.repository';
import { EmbeddedExecutionRepository } from './execution.repository';
import { EmbeddedMirrorPageRepository } from './mirror-page.repository';
import { EmbeddedShortLinkRepository } from './short-link.repository';
import { EmbeddedProfileRepository } from './profile.repository';
import { EmbeddedScheduleRepository } from './schedule.repository';
import { EmbeddedSandboxSettingsRepository } from './settings.repository';
import { EmbeddedSuppressionRepository } from './suppression.repository';
import { EmbeddedWebhookDeliveryRepository } from './webhook-delivery.repository';
import { EmbeddedWebhookSubscriptionRepository } from './webhook-subscription.repository';
import { WEBHOOK_LOG_RETENTION_DAYS } from '../webhook.ports';

export interface EmbeddedStoreOptions {
  /** The SQLite file; its folder is created when missing. */
  path: string;
  /** Deliveries created longer ago than this are removed when the store opens. Default 180. */
  deliveryRetentionDays?: number;
}

const DEFAULT_DELIVERY_RETENTION_DAYS = 180;

/**
 * The zero-setup store: one SQLite file that the API and any number of worker processes on the
 * same machine open at the same time.
 */
export async function openEmbeddedStore(options: EmbeddedStoreOptions): Promise<Store> {
  const retentionDays = options.deliveryRetentionDays ?? DEFAULT_DELIVERY_RETENTION_DAYS;
  // A zero or garbage retention would prune every delivery on open: refuse rather than erase.
  if (!Number.isFinite(retentionDays) || retentionDays <= 0) {
    throw new RangeError(`deliveryRetentionDays must be a positive number of days, got ${retentionDays}.`);
  }
  const db = openDatabase(options.path);
  try {
    const deliveries = new EmbeddedDeliveryRepository(db);
    // SQLite has no TTL index: each process prunes when it opens the file (API and worker restarts).
    deliveries.pruneOlderThan(retentionDays);
    const mirrorPages = new EmbeddedMirrorPageRepository(db);
    mirrorPages.pruneExpired();
    const shortLinks = new EmbeddedShortLinkRepository(db);
    shortLinks.pruneExpired();
    const webhookDeliveries = new EmbeddedWebhookDeliveryRepository(db);
    webhookDeliveries.pruneOlderThan(WEBHOOK_LOG_RETENTION_DAYS);
    const ping = db.prepare('SELECT 1');
    return {
      kind: 'embedded',
      campaigns: new EmbeddedCampaignRepository(db),
      profiles: new EmbeddedProfileRepository(db),
      executions: new EmbeddedExecutionRepository(db),
      deliveries,
      audiences: new EmbeddedAudienceRepository(db),
      schedules: new EmbeddedScheduleRepository(db),
      suppressions: new EmbeddedSuppressionRepository(db),
      apiKeys: new EmbeddedApiKeyRepository(db),
      apiCredentials: new EmbeddedApiCredentialRepository(db),
      settings: new EmbeddedSandboxSettingsRepository(db),
      engagement: new EmbeddedEngagementRepository(db),
      mirrorPages,
      shortLinks,
      webhookSubscriptions: new EmbeddedWebhookSubscriptionRepository(db),
      webhookDeliveries,
      async ping() {
        ping.get();
      },
      async close() {
        if (db.open) db.close();
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
