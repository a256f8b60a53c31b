import express, { type Express, type RequestHandler } from 'express';
import type { Queue } from 'bullmq';
import type { ChannelAdapter } from '@herald/channels';
import type { TemplateEngine } from '@herald/templating';
import { BULL_BOARD_PATH, bullBoard } from './admin/bull-board';
import type { ApiKeyAuthenticator } from './auth/api-key-authenticator';
import type { CampaignService } from './campaigns/campaign-service';
import type { AudienceExecutionService } from './executions/audience-execution.service';
import type { UnitaryExecutionService } from './executions/unitary-execution.service';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { openApiDocument } from './openapi/openapi-document';
import { apiKeysRoutes } from './routes/api-keys.routes';
import { audienceExecutionsRoutes } from './routes/audience-executions.routes';
import { audiencesRoutes } from './routes/audiences.routes';
import { campaignToolsRoutes } from './routes/campaign-tools.routes';
import { campaignsRoutes } from './routes/campaigns.routes';
import { executionsRoutes } from './routes/executions.routes';
import { executionReportsRoutes, type ExecutionReportsRouteDeps } from './routes/execution-reports.routes';
import { highThroughputRoutes } from './routes/highthroughput.routes';
import type { HighThroughputExecutionService } from './executions/highthroughput-execution.service';
import { healthRoutes, type ReadinessCheck } from './routes/health.routes';
import { openApiRoutes } from './routes/openapi.routes';
import { profilesRoutes } from './routes/profiles.routes';
import type { RouteDeps } from './routes/route-deps';
import { suppressionsRoutes } from './routes/suppressions.routes';
import { settingsRoutes } from './routes/settings.routes';
import { webhooksRoutes, type WebhooksRouteDeps } from './routes/webhooks.routes';
import { correlation } from './http/correlation';

export interface AppDeps extends RouteDeps, ExecutionReportsRouteDeps {
  webhooks: WebhooksRouteDeps;
  authenticator: ApiKeyAuthenticator;
  campaigns: CampaignService;
  unitaryExecutions: UnitaryExecutionService;
  audienceExecutions: AudienceExecutionService;
  highThroughputExecutions: HighThroughputExecutionService;
  /** Per-API-key call rate of the execution API, shared by all API processes. */
  apiKeyRateLimit: RequestHandler;
  readinessChecks: readonly ReadinessCheck[];
  maxRecipients: number;
  templates: TemplateEngine;
  /** Channel adapter of test sends (the outbox until provider adapters exist). */
  outbox: ChannelAdapter;
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
  // Unauthenticated: probes and the API description.
  app.use(healthRoutes(deps.readinessChecks));
  app.use(openApiRoutes(openApiDocument(deps.maxRecipients)));
  // Signed by the provider instead of an API key.
  app.use(webhooksRoutes(deps.webhooks));
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
  app.use('/im/executions', deps.apiKeyRateLimit);
  app.use(highThroughputRoutes(deps.highThroughputExecutions, deps.maxBodyBytes));
  app.use(executionsRoutes(deps.unitaryExecutions, deps.maxBodyBytes));
  app.use(audienceExecutionsRoutes(deps.audienceExecutions, deps.maxBodyBytes));
  app.use(campaignsRoutes(deps.campaigns, deps.maxBodyBytes));
  app.use(executionReportsRoutes(deps));
  app.use(profilesRoutes(deps, { allowPrivatePushEndpoints: deps.allowPrivateUrls }));
  app.use(audiencesRoutes(deps));
  app.use(suppressionsRoutes(deps));
  app.use(settingsRoutes(deps));
  app.use(apiKeysRoutes(deps, deps.authenticator));
  app.use(campaignToolsRoutes(deps));
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
