import express, { type Express, type RequestHandler } from 'express';
import type { Queue } from 'bullmq';
import type { Logger } from '@herald/logger';
import { BULL_BOARD_PATH, bullBoard } from './admin/bull-board';
import type { ApiCredentialService } from './api-credentials/api-credential.service';
import { apiCredentialsRoutes } from './api-credentials/api-credentials.routes';
import type { ApiKeyService } from './api-keys/api-key.service';
import { apiKeysRoutes } from './api-keys/api-keys.routes';
import type { AudienceService } from './audiences/audience.service';
import { audiencesRoutes } from './audiences/audiences.routes';
import type { ApiKeyAuthenticator } from './auth/api-key-authenticator';
import type { CampaignToolsService } from './campaign-tools/campaign-tools.service';
import { campaignToolsRoutes } from './campaign-tools/campaign-tools.routes';
import type { CampaignService } from './campaigns/campaign.service';
import type { FeedbackWebhookService } from './feedback-webhooks/feedback-webhook.service';
import { feedbackWebhooksRoutes } from './feedback-webhooks/feedback-webhooks.routes';
import { campaignsRoutes } from './campaigns/campaigns.routes';
import type { ReadinessCheck } from '@herald/service-runtime';
import { healthRoutes } from './health/health.routes';
import type { ImsTokenService } from './ims-token/ims-token.service';
import { imsTokenRoutes } from './ims-token/ims-token.routes';
import { accessLog } from './http/access-log';
import { correlation } from './http/correlation';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { executionApiPaths } from './http/execution-api-paths';
import { openApiDocument } from './openapi/openapi-document';
import { openApiRoutes } from './openapi/openapi.routes';
import type { ProfileService } from './profiles/profile.service';
import { profilesRoutes } from './profiles/profiles.routes';
import { reportsRoutes, type ReportServices } from './reports/reports.routes';
import type { SettingsService } from './settings/settings.service';
import { settingsRoutes } from './settings/settings.routes';
import type { SuppressionService } from './suppressions/suppression.service';
import { suppressionsRoutes } from './suppressions/suppressions.routes';
import type { AudienceExecutionService } from './triggers/audience-execution.service';
import { audienceExecutionRoutes } from './triggers/audience-execution.routes';
import type { HighThroughputExecutionService } from './triggers/highthroughput-execution.service';
import { highThroughputExecutionRoutes } from './triggers/highthroughput-execution.routes';
import type { UnitaryExecutionService } from './triggers/unitary-execution.service';
import { unitaryExecutionRoutes } from './triggers/unitary-execution.routes';
import { webhooksRoutes, type WebhooksRouteDeps } from './webhooks/webhooks.routes';

/** The services and HTTP plumbing the routers are given; `index.ts` builds every one. */
export interface AppDeps {
  logger: Logger;
  maxBodyBytes: number;
  maxRecipients: number;
  webhooks: WebhooksRouteDeps;
  authenticator: ApiKeyAuthenticator;
  campaigns: CampaignService;
  campaignTools: CampaignToolsService;
  unitaryExecutions: UnitaryExecutionService;
  audienceExecutions: AudienceExecutionService;
  highThroughputExecutions: HighThroughputExecutionService;
  reports: ReportServices;
  profiles: ProfileService;
  audiences: AudienceService;
  suppressions: SuppressionService;
  settings: SettingsService;
  apiKeys: ApiKeyService;
  apiCredentials: ApiCredentialService;
  imsTokens: ImsTokenService;
  /** Customers' feedback webhook subscriptions (`/webhooks`, beside the provider webhooks). */
  feedbackWebhooks: FeedbackWebhookService;
  /** Per-API-key call rate of the execution API, shared by all API processes. */
  apiKeyRateLimit: RequestHandler;
  /** Preview and test-send render templates in the API process: a key gets a small rate of them. */
  authorToolsRateLimit: RequestHandler;
  readinessChecks: readonly ReadinessCheck[];
  /** Queues shown on Bull Board: the delivery queues and the audience fan-out queue. */
  boardQueues: readonly Queue[];
  bullBoardReadOnly: boolean;
}

/** The HTTP application, without listening: tests drive it with supertest. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(correlation());
  app.use(accessLog(deps.logger));
  // Unauthenticated: probes and the API description.
  app.use(healthRoutes(deps.readinessChecks));
  app.use(openApiRoutes(openApiDocument(deps.maxRecipients)));
  // Signed by the provider instead of an API key.
  app.use(webhooksRoutes(deps.webhooks));
  // The client id and secret in the request are its credentials.
  app.use(imsTokenRoutes(deps.imsTokens));
  // Everything below needs a key; each route says which role.
  app.use(deps.authenticator.middleware());
  app.use(
    BULL_BOARD_PATH,
    bullBoard({
      queues: deps.boardQueues,
      readOnly: deps.bullBoardReadOnly,
      authenticator: deps.authenticator,
    }),
  );
  const { maxBodyBytes } = deps;
  app.use(executionApiPaths('/executions'), deps.apiKeyRateLimit);
  app.use(['/campaigns/:id/preview', '/campaigns/:id/test-send'], deps.authorToolsRateLimit);
  app.use(highThroughputExecutionRoutes(deps.highThroughputExecutions, maxBodyBytes));
  app.use(unitaryExecutionRoutes(deps.unitaryExecutions, maxBodyBytes));
  app.use(audienceExecutionRoutes(deps.audienceExecutions, maxBodyBytes));
  app.use(campaignsRoutes(deps.campaigns, maxBodyBytes));
  app.use(reportsRoutes(deps.reports, maxBodyBytes));
  app.use(profilesRoutes(deps.profiles, maxBodyBytes));
  app.use(audiencesRoutes(deps.audiences, maxBodyBytes));
  app.use(suppressionsRoutes(deps.suppressions, maxBodyBytes));
  app.use(settingsRoutes(deps.settings, maxBodyBytes));
  app.use(apiKeysRoutes(deps.apiKeys, maxBodyBytes));
  app.use(apiCredentialsRoutes(deps.apiCredentials, maxBodyBytes));
  app.use(campaignToolsRoutes(deps.campaignTools, maxBodyBytes));
  app.use(feedbackWebhooksRoutes(deps.feedbackWebhooks, maxBodyBytes));
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
