import type { Request, RequestHandler } from 'express';
import { heldLabels } from '../auth/campaign-access';
import { callerOf } from '../auth/principal';
import { requireRole } from '../auth/require-role';
import { bodyFingerprint } from './idempotency';
import type { IncomingTrigger } from './trigger-call';
import { dryRunAnswerFor, type DryRunResult } from './dry-run';
import { correlationOf } from '../http/correlation';
import { dryRunRequested } from '../http/dry-run-flag';
import { jsonBody, rawBodyOf } from '../http/json-body';
import { sandboxOf } from '../http/sandbox';

/** A trigger request as the execution services take it; after `jsonBody` and the role check. */
export function incomingTriggerOf(req: Request): IncomingTrigger {
  const correlation = correlationOf(req);
  const header = req.header('x-request-id');
  return {
    sandbox: sandboxOf(req),
    body: req.body as unknown,
    fingerprint: bodyFingerprint(rawBodyOf(req)),
    createdBy: callerOf(req),
    held: heldLabels(req),
    correlation,
    // Only the caller's own, well-formed value: a generated one is new on every call anyway.
    ...(header !== undefined && header === correlation?.requestId ? { xRequestId: header } : {}),
  };
}

/** What a trigger endpoint's service does with a call. */
export interface TriggerHandler {
  execute(call: IncomingTrigger): Promise<unknown>;
  /** Present on the endpoints that take `?dryRun=true` (not audience calls). */
  dryRun?(sandbox: string, body: unknown, held: readonly string[]): Promise<DryRunResult>;
}

/**
 * The middleware chain of every trigger endpoint: the `execute` role, the JSON body (its bytes
 * kept for the fingerprint), then `202` with the service's answer, or `200` with the dry run's.
 */
export function triggerEndpoint(handler: TriggerHandler, maxBodyBytes: number): RequestHandler[] {
  return [
    requireRole('execute'),
    ...jsonBody(maxBodyBytes),
    async (req, res) => {
      if (handler.dryRun && dryRunRequested(req.query.dryRun)) {
        const result = await handler.dryRun(sandboxOf(req), req.body as unknown, heldLabels(req));
        res.status(200).json(dryRunAnswerFor(req, result));
        return;
      }
      res.status(202).json(await handler.execute(incomingTriggerOf(req)));
    },
  ];
}
