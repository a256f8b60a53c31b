import { Router, type Request, type RequestHandler, type Response } from 'express';
import { heldLabels } from '../auth/campaign-access';
import { requireAnyRole, requireRole } from '../auth/require-role';
import { jsonBody } from '../http/json-body';
import { pathParam } from '../http/path-param';
import { sandboxOf } from '../http/sandbox';
import type { CampaignReportService } from './campaign-report.service';
import type { EngagementReport } from './engagement-report';
import type { ExecutionReportService } from './execution-report.service';
import type { ReplayFailuresService } from './replay-failures.service';
import { CSV_CONTENT_TYPE, seriesCsv, seriesCsvFilename } from './report-csv';
import { parseReportQuery, type ReportFormat } from './report-window';

export interface ReportServices {
  executions: ExecutionReportService;
  campaigns: CampaignReportService;
  replays: ReplayFailuresService;
}

/**
 * What an execution did and its dead letter: reads for `execute` or `manage` keys (the caller
 * that triggered the execution may follow it), replay for `manage` only; and a campaign's
 * outcomes across its executions (`manage`). Campaign and execution reports over time answer JSON
 * or, for `Accept: text/csv` or `?format=csv`, their series as CSV.
 */
export function reportsRoutes(
  { executions: reports, campaigns: campaignReports, replays }: ReportServices,
  maxBodyBytes: number,
): Router {
  const router = Router();
  const read = requireAnyRole(['execute', 'manage']);
  router.get('/executions/:executionId', read, async (req, res) => {
    res.json(await reports.report(sandboxOf(req), pathParam(req, 'executionId'), heldLabels(req)));
  });
  router.get('/executions/:executionId/deliveries', read, async (req, res) => {
    const executionId = pathParam(req, 'executionId');
    res.json(await reports.deliveries(sandboxOf(req), executionId, req.query, heldLabels(req)));
  });
  router.get('/executions/:executionId/failures', read, async (req, res) => {
    const executionId = pathParam(req, 'executionId');
    res.json(await reports.failures(sandboxOf(req), executionId, req.query, heldLabels(req)));
  });
  router.get('/executions/:executionId/report', read, async (req, res) => {
    const { window, format } = parseReportQuery(req.query);
    const executionId = pathParam(req, 'executionId');
    const report = await reports.reportOverTime(sandboxOf(req), executionId, window, heldLabels(req));
    answerReport(req, res, format, report, seriesCsvFilename('execution', executionId, window));
  });
  router.get('/campaigns/:campaignId/report', requireRole('manage'), async (req, res) => {
    const { window, format } = parseReportQuery(req.query);
    const campaignId = pathParam(req, 'campaignId');
    const report = await campaignReports.report(sandboxOf(req), campaignId, window, heldLabels(req));
    answerReport(req, res, format, report, seriesCsvFilename('campaign', campaignId, window));
  });
  router.post(
    '/executions/:executionId/failures/replay',
    requireRole('manage'),
    optionalJsonBody(maxBodyBytes),
    async (req, res) => {
      const body: unknown = req.body;
      const executionId = pathParam(req, 'executionId');
      res.status(202).json(await replays.replay(sandboxOf(req), executionId, body, heldLabels(req)));
    },
  );
  return router;
}

/**
 * The report as JSON, or its series as a CSV download: `?format=` decides, else `Accept` (JSON
 * when it prefers neither).
 */
function answerReport(
  req: Request,
  res: Response,
  format: ReportFormat | undefined,
  report: EngagementReport,
  filename: string,
): void {
  const chosen = format ?? (req.accepts(['application/json', 'text/csv']) === 'text/csv' ? 'csv' : 'json');
  res.vary('Accept');
  if (chosen === 'json') {
    res.json(report);
    return;
  }
  // `attachment` sets a type from the file name: the explicit one comes after it.
  res.attachment(filename).type(CSV_CONTENT_TYPE).send(seriesCsv(report.series));
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
