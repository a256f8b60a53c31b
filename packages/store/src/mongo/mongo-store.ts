import type { Connection } from 'mongoose';
import type {
  ApiCredentialRepository,
  ApiKeyRepository,
  AudienceRepository,
  CampaignRepository,
  DeliveryRepository,
  EngagementRepository,
  ExecutionRepository,
  MirrorPageRepository,
  ProfileRepository,
  SandboxSettingsRepository,
  ScheduleRepository,
  ShortLinkRepository,
  Store,
  SuppressionRepository,
  WebhookDeliveryRepository,
  WebhookSubscriptionRepository,
} from '../ports';
import { apiCredentialModel } from './api-credential.model';
import { MongoApiCredentialRepository } from './api-credential.repository';
import { apiKeyModel } from './api-key.model';
import { MongoApiKeyRepository } from './api-key.repository';
import { audienceModel } from './audience.model';
import { MongoAudienceRepository } from './audience.repository';
import { campaignModel } from './campaign.model';
import { MongoCampaignRepository } from './campaign.repository';
import { campaignVersionModel } from './campaign-version.model';
import { connectMongo, type MongoConnectionOptions } from './connection';
import { DEFAULT_DELIVERY_RETENTION_DAYS, deliveryModel, retentionSeconds } from './delivery.model';
import { MongoDeliveryRepository } from './delivery.repository';
import { engagementModel } from './engagement.model';
import { MongoEngagementRepository } from './engagement.repository';
import { executionModel } from './execution.model';
import { MongoExecutionRepository } from './execution.repository';
import { createIndexes, type IndexedModel } from './indexes';
import { mirrorPageModel } from './mirror-page.model';
import { MongoMirrorPageRepository } from './mirror-page.repository';
import { shortLinkModel } from './short-link.model';
import { MongoShortLinkRepository } from './short-link.repository';
import { profileModel } from './profile.model';
import { MongoProfileRepository } from './profile.repository';
import { sandboxSettingsModel } from './settings.model';
import { MongoSandboxSettingsRepository } from './settings.repository';
import { scheduleModel } from './schedule.model';
import { MongoScheduleRepository } from './schedule.repository';
import { suppressionModel } from './suppression.model';
import { MongoSuppressionRepository } from './suppression.repository';
import { webhookDeliveryModel, webhookSubscriptionModel } from './webhook.model';
import { MongoWebhookDeliveryRepository } from './webhook-delivery.repository';
import { MongoWebhookSubscriptionRepository } from './webhook-subscription.repository';

export interface MongoStoreOptions extends MongoConnectionOptions {
  /** `mongodb://…` or `mongodb+srv://…`; the database is the one the URL names. */
  url: string;
  /** Delivery records older than this are removed by a TTL index (default 180). */
  deliveryRetentionDays?: number;
}

class MongoStore implements Store {
  readonly kind = 'mongodb';
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

  constructor(
    private readonly connection: Connection,
    models: StoreModels,
  ) {
    this.campaigns = new MongoCampaignRepository(models.campaigns, models.campaignVersions);
    this.profiles = new MongoProfileRepository(models.profiles);
    this.executions = new MongoExecutionRepository(models.executions);
    this.deliveries = new MongoDeliveryRepository(models.deliveries);
    this.audiences = new MongoAudienceRepository(models.audiences);
    this.schedules = new MongoScheduleRepository(models.schedules);
    this.suppressions = new MongoSuppressionRepository(models.suppressions);
    this.apiKeys = new MongoApiKeyRepository(models.apiKeys);
    this.apiCredentials = new MongoApiCredentialRepository(models.apiCredentials);
    this.settings = new MongoSandboxSettingsRepository(models.settings);
    this.engagement = new MongoEngagementRepository(
      models.engagement,
      models.deliveries.collection.collectionName,
    );
    this.mirrorPages = new MongoMirrorPageRepository(models.mirrorPages);
    this.shortLinks = new MongoShortLinkRepository(models.shortLinks);
    this.webhookSubscriptions = new MongoWebhookSubscriptionRepository(
      models.webhookSubscriptions,
      models.webhookDeliveries,
    );
    this.webhookDeliveries = new MongoWebhookDeliveryRepository(models.webhookDeliveries);
  }

  async ping(): Promise<void> {
    const { db } = this.connection;
    if (!db) throw new Error('The MongoDB connection is closed.');
    await db.command({ ping: 1 });
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}

type StoreModels = ReturnType<typeof createModels>;

function createModels(connection: Connection, retentionDays: number) {
  return {
    campaigns: campaignModel(connection),
    campaignVersions: campaignVersionModel(connection),
    profiles: profileModel(connection),
    executions: executionModel(connection),
    deliveries: deliveryModel(connection, retentionDays),
    audiences: audienceModel(connection),
    schedules: scheduleModel(connection),
    suppressions: suppressionModel(connection),
    apiKeys: apiKeyModel(connection),
    apiCredentials: apiCredentialModel(connection),
    settings: sandboxSettingsModel(connection),
    engagement: engagementModel(connection),
    mirrorPages: mirrorPageModel(connection),
    shortLinks: shortLinkModel(connection),
    webhookSubscriptions: webhookSubscriptionModel(connection),
    webhookDeliveries: webhookDeliveryModel(connection),
  };
}

/**
 * Opens the MongoDB store on a connection of its own, and resolves only once every index
 * exists: the unique indexes are what make concurrent writers safe, so no query may run
 * before them.
 */
export async function openMongoStore(options: MongoStoreOptions): Promise<Store> {
  const retentionDays = options.deliveryRetentionDays ?? DEFAULT_DELIVERY_RETENTION_DAYS;
  // Checked before connecting, so a bad setting fails at once rather than after a round trip.
  const ttlSeconds = retentionSeconds(retentionDays);
  const connection = await connectMongo(options.url, {
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS,
  });
  try {
    const models = createModels(connection, retentionDays);
    const indexed: IndexedModel[] = Object.values(models);
    await createIndexes(connection, indexed, { model: models.deliveries, seconds: ttlSeconds });
    return new MongoStore(connection, models);
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw error;
  }
}
