import { Router } from 'express';
import type { UnitaryExecutionService } from '../executions/unitary-execution.service';
import { triggerEndpoint } from './trigger-route';

/** The AJO-compatible execution API under `/im`. */
export function executionsRoutes(unitary: UnitaryExecutionService, maxBodyBytes: number): Router {
  const router = Router();
  router.post('/im/executions/unitary', ...triggerEndpoint(unitary, maxBodyBytes));
  return router;
}
