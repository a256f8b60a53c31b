import { Router } from 'express';
import { callerOf } from '../auth/principal';
import { dryRunRequested } from '../http/dry-run-flag';
import { requireRole } from '../auth/require-role';
import type { UnitaryExecutionService } from '../executions/unitary-execution.service';
import { correlationOf } from '../http/correlation';
import { reportTriggerIds } from '../http/error-handler';
import { jsonBody, rawBodyOf } from '../http/json-body';
import { bodyFingerprint } from '../executions/idempotency';
import { sandboxOf } from '../http/sandbox';

/** The AJO-compatible execution API under `/im`. */
export function executionsRoutes(unitary: UnitaryExecutionService, maxBodyBytes: number): Router {
  const router = Router();
  router.post(
    '/im/executions/unitary',
    requireRole('execute'),
    ...jsonBody(maxBodyBytes),
    reportTriggerIds,
    async (req, res) => {
      const body: unknown = req.body;
      if (dryRunRequested(req.query.dryRun)) {
        res.status(200).json(await unitary.dryRun(sandboxOf(req), body));
        return;
      }
      res
        .status(202)
        .json(
          await unitary.execute(
            sandboxOf(req),
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
