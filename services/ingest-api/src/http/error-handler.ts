import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { HeraldError, ServiceUnavailableError, TooManyRequestsError } from '@herald/errors';
import type { Logger } from '@herald/logger';
import { PROBLEM_CONTENT_TYPE, problem, type Problem } from './problem';
import { correlationLogFields, correlationOf } from './correlation';
import { isExecutionApiPath } from './execution-api-paths';

/**
 * AJO's `report.additionalContext` of an execution call's error: the body's `requestId` (else the
 * `x-request-id` echoed in the answer header) and `campaignId`, strings as in AJO's errorResponse.
 */
function executionReport(req: Request): Problem['report'] {
  if (!isExecutionApiPath(req.path)) return undefined;
  const body: unknown = req.body;
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const requestId = typeof fields.requestId === 'string' ? fields.requestId : correlationOf(req)?.requestId;
  return {
    additionalContext: {
      ...(requestId !== undefined ? { requestId } : {}),
      ...(typeof fields.campaignId === 'string' ? { campaignId: fields.campaignId } : {}),
    },
  };
}

/** The one place where errors become HTTP answers. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const answer = toProblem(error);
    const report = executionReport(req);
    if (report) answer.report = report;
    if (answer.status >= 500) {
      logger.error(
        { err: error, method: req.method, path: req.path, ...correlationLogFields(correlationOf(req)) },
        'request failed',
      );
    }
    if (error instanceof ServiceUnavailableError || error instanceof TooManyRequestsError)
      res.setHeader('Retry-After', String(error.retryAfterSeconds));
    res.status(answer.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(answer));
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new RouteNotFoundError(`no route for ${req.method} ${req.path}`));
};

class RouteNotFoundError extends HeraldError {
  readonly status = 404;
  readonly code = 'route-not-found';
}

function toProblem(error: unknown): Problem {
  if (error instanceof HeraldError) {
    return problem(error.status, error.code, error.message, { errors: error.errors });
  }
  const bodyError = bodyParserError(error);
  if (bodyError) return bodyError;
  return problem(500, 'internal-error', 'An unexpected error occurred.');
}

/** Errors raised by express.json() (they carry `type`) and by the router (a bad %-escape in a path). */
function bodyParserError(error: unknown): Problem | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const type = (error as { type?: unknown }).type;
  if (type === 'entity.parse.failed') {
    return problem(400, 'malformed-json', 'The request body is not valid JSON.', {
      errors: [{ path: '/', code: 'malformed-json', message: 'body is not valid JSON' }],
    });
  }
  if (type === 'entity.too.large') {
    const limit = (error as { limit?: unknown }).limit;
    return problem(413, 'payload-too-large', `The request body is larger than ${String(limit)} bytes.`);
  }
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return problem(415, 'unsupported-encoding', 'The request body encoding is not supported.');
  }
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return problem(status, 'bad-request', 'The request could not be read (body or URL).');
  }
  return undefined;
}
