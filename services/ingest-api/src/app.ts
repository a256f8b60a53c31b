import express, { type Express } from 'express';
import type { Logger } from '@herald/logger';
import type { CampaignService } from './campaigns/campaign-service';
import type { UnitaryExecutionService } from './executions/unitary-execution.service';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { campaignsRoutes } from './routes/campaigns.routes';
import { executionsRoutes } from './routes/executions.routes';
import { healthRoutes, type ReadinessCheck } from './routes/health.routes';
import { openApiRoutes } from './routes/openapi.routes';
import { openApiDocument } from './openapi/openapi-document';

export interface AppDeps {
  logger: Logger;
  campaigns: CampaignService;
  unitaryExecutions: UnitaryExecutionService;
  readinessChecks: readonly ReadinessCheck[];
  maxBodyBytes: number;
  maxRecipients: number;
}

/** The HTTP application, without listening: tests drive it with supertest. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(healthRoutes(deps.readinessChecks));
  app.use(openApiRoutes(openApiDocument(deps.maxRecipients)));
  app.use(campaignsRoutes(deps.campaigns, deps.maxBodyBytes));
  app.use(executionsRoutes(deps.unitaryExecutions, deps.maxBodyBytes));
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
