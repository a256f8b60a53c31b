import { Router } from 'express';
import { executionApiPaths } from '../http/execution-api-paths';
import type { HighThroughputExecutionService } from './highthroughput-execution.service';
import { triggerEndpoint } from './trigger-endpoint';

/** `POST /im/executions/highthroughput` (also under `/ajo/im`): e-mail to external recipients, at the highest rate. */
export function highThroughputExecutionRoutes(
  service: HighThroughputExecutionService,
  maxBodyBytes: number,
): Router {
  const router = Router();
  const endpoint = triggerEndpoint(service, maxBodyBytes);
  for (const path of executionApiPaths('/executions/highthroughput')) router.post(path, ...endpoint);
  return router;
}
