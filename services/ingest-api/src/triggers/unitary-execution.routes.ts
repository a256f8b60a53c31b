import { Router } from 'express';
import type { UnitaryExecutionService } from './unitary-execution.service';
import { triggerEndpoint } from './trigger-endpoint';

/** The AJO-compatible execution API under `/im`. */
export function unitaryExecutionRoutes(unitary: UnitaryExecutionService, maxBodyBytes: number): Router {
  const router = Router();
  router.post('/im/executions/unitary', ...triggerEndpoint(unitary, maxBodyBytes));
  return router;
}
