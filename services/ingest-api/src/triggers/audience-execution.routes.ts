import { Router } from 'express';
import { requireRole } from '../auth/require-role';
import type { AudienceExecutionService } from './audience-execution.service';
import { pathParam } from '../http/path-param';
import { sandboxOf } from '../http/sandbox';
import { triggerEndpoint } from './trigger-endpoint';

/** Audience executions and their schedules, under the AJO `/im` base path. */
export function audienceExecutionRoutes(service: AudienceExecutionService, maxBodyBytes: number): Router {
  const router = Router();
  router.post('/im/executions/audience', ...triggerEndpoint(service, maxBodyBytes));
  router.get('/im/executions/audience/:executionId', requireRole('execute'), async (req, res) => {
    res.json(await service.getExecution(sandboxOf(req), pathParam(req, 'executionId')));
  });
  router.get('/im/executions/schedules/:scheduleId', requireRole('execute'), async (req, res) => {
    res.json(await service.getSchedule(sandboxOf(req), pathParam(req, 'scheduleId')));
  });
  router.delete('/im/executions/schedules/:scheduleId', requireRole('execute'), async (req, res) => {
    await service.cancelSchedule(sandboxOf(req), pathParam(req, 'scheduleId'));
    res.status(204).end();
  });
  return router;
}
