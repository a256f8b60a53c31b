import { callerOf } from '../auth/principal';
import { Router } from 'express';
import { requireRole } from '../auth/require-role';
import type { AudienceExecutionService } from '../executions/audience-execution.service';
import { correlationOf } from '../http/correlation';
import { reportTriggerIds } from '../http/error-handler';
import { jsonBody, rawBodyOf } from '../http/json-body';
import { bodyFingerprint } from '../executions/idempotency';
import { pathParam } from '../http/path-param';
import { sandboxOf } from '../http/sandbox';

/** Audience executions and their schedules, under the AJO `/im` base path. */
export function audienceExecutionsRoutes(service: AudienceExecutionService, maxBodyBytes: number): Router {
  const router = Router();
  router.post(
    '/im/executions/audience',
    requireRole('execute'),
    ...jsonBody(maxBodyBytes),
    reportTriggerIds,
    async (req, res) => {
      const body: unknown = req.body;
      res
        .status(202)
        .json(
          await service.execute(
            sandboxOf(req),
            body,
            bodyFingerprint(rawBodyOf(req)),
            callerOf(req),
            correlationOf(req),
          ),
        );
    },
  );
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
