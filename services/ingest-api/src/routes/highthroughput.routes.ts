import { Router } from 'express';
import { callerOf } from '../auth/principal';
import { dryRunRequested } from '../http/dry-run-flag';
import { requireRole } from '../auth/require-role';
import type { HighThroughputExecutionService } from '../executions/highthroughput-execution.service';
import { correlationOf } from '../http/correlation';
import { reportTriggerIds } from '../http/error-handler';
import { jsonBody, rawBodyOf } from '../http/json-body';
import { bodyFingerprint } from '../executions/idempotency';
import { sandboxOf } from '../http/sandbox';

/** `POST /im/executions/highthroughput`: e-mail to external recipients, at the highest rate. */
export function highThroughputRoutes(service: HighThroughputExecutionService, maxBodyBytes: number): Router {
  const router = Router();
  router.post(
    '/im/executions/highthroughput',
    requireRole('execute'),
    ...jsonBody(maxBodyBytes),
    reportTriggerIds,
    async (req, res) => {
      const body: unknown = req.body;
      const sandbox = sandboxOf(req);
      if (dryRunRequested(req.query.dryRun)) {
        res.status(200).json(await service.dryRun(sandbox, body));
        return;
      }
      res
        .status(202)
        .json(
          await service.execute(
            sandbox,
            body,
            bodyFingerprint(rawBodyOf(req)),
            callerOf(req),
            correlationOf(req),
          ),
        );
    },
  );
  return router;
}
