import { Router } from 'express';
import { ValidationError } from '@herald/errors';
import { principalOf } from '../auth/principal';
import { requireRole } from '../auth/require-role';
import type { UnitaryExecutionService } from '../executions/unitary-execution.service';
import { setReport } from '../http/error-handler';
import { jsonBody } from '../http/json-body';
import { sandboxOf } from '../http/sandbox';

/** The AJO-compatible execution API under `/im`. */
export function executionsRoutes(unitary: UnitaryExecutionService, maxBodyBytes: number): Router {
  const router = Router();
  router.post(
    '/im/executions/unitary',
    requireRole('execute'),
    ...jsonBody(maxBodyBytes),
    async (req, res) => {
      const body: unknown = req.body;
      if (typeof body === 'object' && body !== null) {
        const { requestId, campaignId } = body as Record<string, unknown>;
        setReport(req, {
          ...(typeof requestId === 'string' ? { requestId } : {}),
          ...(typeof campaignId === 'string' ? { campaignId } : {}),
        });
      }
      if (dryRunRequested(req.query.dryRun)) {
        res.status(200).json(await unitary.dryRun(sandboxOf(req), body));
        return;
      }
      res.status(202).json(await unitary.execute(sandboxOf(req), body, callerOf(req)));
    },
  );
  return router;
}

/** `?dryRun=true` validates and previews the call instead of queueing it. */
function dryRunRequested(value: unknown): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new ValidationError('invalid-request', 'dryRun must be true or false.', [
    { path: '/query/dryRun', code: 'invalid-value', message: 'dryRun must be true or false' },
  ]);
}

/** The caller an execution is attributed to: its API key id (requireRole guarantees one). */
function callerOf(req: Parameters<typeof principalOf>[0]): string {
  return principalOf(req)?.keyId ?? 'unknown';
}
