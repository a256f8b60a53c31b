import { Router } from 'express';
import type { HighThroughputExecutionService } from './highthroughput-execution.service';
import { triggerEndpoint } from './trigger-endpoint';

/** `POST /im/executions/highthroughput`: e-mail to external recipients, at the highest rate. */
export function highThroughputExecutionRoutes(
  service: HighThroughputExecutionService,
  maxBodyBytes: number,
): Router {
  const router = Router();
  router.post('/im/executions/highthroughput', ...triggerEndpoint(service, maxBodyBytes));
  return router;
}
