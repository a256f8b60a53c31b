import { Router } from 'express';
import { executionApiPaths } from '../http/execution-api-paths';
import type { UnitaryExecutionService } from './unitary-execution.service';
import { triggerEndpoint } from './trigger-endpoint';

/** `POST /im/executions/unitary`, also under AJO's `/ajo/im`. */
export function unitaryExecutionRoutes(unitary: UnitaryExecutionService, maxBodyBytes: number): Router {
  const router = Router();
  const endpoint = triggerEndpoint(unitary, maxBodyBytes);
  for (const path of executionApiPaths('/executions/unitary')) router.post(path, ...endpoint);
  return router;
}
