import { Router, type RequestHandler } from 'express';
import { heldLabels } from '../auth/campaign-access';
import { requireRole } from '../auth/require-role';
import type { AudienceExecutionService } from './audience-execution.service';
import { executionApiPaths } from '../http/execution-api-paths';
import { pathParam } from '../http/path-param';
import { sandboxOf } from '../http/sandbox';
import { triggerEndpoint } from './trigger-endpoint';

/** Audience executions and their schedules, under the `/im` and `/ajo/im` base paths. */
export function audienceExecutionRoutes(service: AudienceExecutionService, maxBodyBytes: number): Router {
  const router = Router();
  const execute = requireRole('execute');
  const trigger = triggerEndpoint(service, maxBodyBytes);
  const getExecution: RequestHandler = async (req, res) => {
    res.json(await service.getExecution(sandboxOf(req), pathParam(req, 'executionId'), heldLabels(req)));
  };
  const getSchedule: RequestHandler = async (req, res) => {
    res.json(await service.getSchedule(sandboxOf(req), pathParam(req, 'scheduleId'), heldLabels(req)));
  };
  const cancelSchedule: RequestHandler = async (req, res) => {
    await service.cancelSchedule(sandboxOf(req), pathParam(req, 'scheduleId'), heldLabels(req));
    // AJO answers a deleted schedule with 200 and an empty object.
    res.status(200).json({});
  };
  for (const path of executionApiPaths('/executions/audience')) router.post(path, ...trigger);
  for (const path of executionApiPaths('/executions/audience/:executionId')) {
    router.get(path, execute, getExecution);
  }
  for (const path of executionApiPaths('/executions/schedules/:scheduleId')) {
    router.get(path, execute, getSchedule);
    router.delete(path, execute, cancelSchedule);
  }
  return router;
}
