import { Router, type RequestHandler } from 'express';
import type { Channel } from '@herald/contracts';
import type { DeliveryCounters, DeliveryQueue } from '@herald/queues';
import { requireAnyRole, requireRole } from '../auth/require-role';
import { CampaignReportService } from '../executions/campaign-report.service';
import { ExecutionReportService } from '../executions/execution-report.service';
import { ReplayFailuresService } from '../executions/replay-failures.service';
import { jsonBody } from '../http/json-body';
import { pathParam } from '../http/path-param';
import { sandboxOf } from '../http/sandbox';
import type { RouteDeps } from './route-deps';

export interface ExecutionReportsRouteDeps extends RouteDeps {
  deliveryCounters: DeliveryCounters;
  deliveryQueues: Readonly<Record<Channel, DeliveryQueue>>;
}

/**
 * What an execution did and its dead letter: reads for `execute` or `manage` keys (the caller
 * that triggered the execution may follow it), replay for `manage` only; and a campaign's
 * outcomes across its executions (`manage`).
 */
export function executionReportsRoutes(deps: ExecutionReportsRouteDeps): Router {
  const router = Router();
  const services = { store: deps.store, counters: deps.deliveryCounters, queues: deps.deliveryQueues };
  const reports = new ExecutionReportService(services);
  const replays = new ReplayFailuresService({ ...services, logger: deps.logger });
  const campaignReports = new CampaignReportService(services);
  const read = requireAnyRole(['execute', 'manage']);
  router.get('/executions/:executionId', read, async (req, res) => {
    res.json(await reports.report(sandboxOf(req), pathParam(req, 'executionId')));
  });
  router.get('/executions/:executionId/deliveries', read, async (req, res) => {
    res.json(await reports.deliveries(sandboxOf(req), pathParam(req, 'executionId'), req.query));
  });
  router.get('/executions/:executionId/failures', read, async (req, res) => {
    res.json(await reports.failures(sandboxOf(req), pathParam(req, 'executionId'), req.query));
  });
  router.get('/campaigns/:campaignId/report', requireRole('manage'), async (req, res) => {
    res.json(await campaignReports.report(sandboxOf(req), pathParam(req, 'campaignId')));
  });
  router.post(
    '/executions/:executionId/failures/replay',
    requireRole('manage'),
    optionalJsonBody(deps.maxBodyBytes),
    async (req, res) => {
      const body: unknown = req.body;
      res.status(202).json(await replays.replay(sandboxOf(req), pathParam(req, 'executionId'), body));
    },
  );
  return router;
}

/** A JSON body when one is sent; none at all is allowed too. */
function optionalJsonBody(limitBytes: number): RequestHandler {
  const parsers = jsonBody(limitBytes);
  return (req, res, next) => {
    const contentLength = req.header('content-length');
    const hasBody =
      req.header('transfer-encoding') !== undefined || (contentLength !== undefined && contentLength !== '0');
    if (hasBody) runInOrder(parsers, req, res, next);
    else next();
  };
}

function runInOrder(
  handlers: readonly RequestHandler[],
  ...[req, res, next]: Parameters<RequestHandler>
): void {
  const [first, ...rest] = handlers;
  if (!first) {
    next();
    return;
  }
  void first(req, res, (error?: unknown) =>
    error === undefined ? runInOrder(rest, req, res, next) : next(error),
  );
}
