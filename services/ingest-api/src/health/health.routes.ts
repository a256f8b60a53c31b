import { Router } from 'express';
import { readinessHandler, type ReadinessCheck } from '@herald/service-runtime';
import { executionApiPaths } from '../http/execution-api-paths';

/**
 * `/health`: the process is up (liveness). `/ready` and `/im/health` (also `/ajo/im/health`): the store and Redis
 * answer, so calls can be accepted (readiness).
 */
export function healthRoutes(checks: readonly ReadinessCheck[]): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  const ready = readinessHandler(checks);
  router.get('/ready', ready);
  for (const path of executionApiPaths('/health')) router.get(path, ready);
  return router;
}
