import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '@herald/logger';
import { pinoHttp, type HttpLogger } from 'pino-http';
import { correlationOf } from './correlation';
import { executionApiPaths } from './execution-api-paths';

/** Probes that orchestrators call every few seconds: logged at debug, so not at the usual info. */
const PROBE_PATHS = new Set(['/health', '/ready', ...executionApiPaths('/health')]);

/** The path of a request URL: a query string may carry secrets or personal data. */
function pathOf(url: string): string {
  return url.split('?', 1)[0] ?? '';
}

/**
 * One line per answered request: method, path, status, response time (ms) and the correlation id
 * (`req.id`, the same one as the `x-request-id` answer header). Only these fields are written:
 * never headers (API keys, cookies) nor bodies (personal data). Mounted after `correlation()`.
 * Below level info (LOG_LEVEL=warn or above) there is nothing to write but the lines of answers of
 * 500 or more, which the error handler writes with their cause: the middleware is left out then,
 * since it costs about 60 µs of CPU a call even when it writes nothing (the ingest bench's profile).
 */
export function accessLog(logger: Logger): RequestHandler {
  if (!logger.isLevelEnabled('info')) return (_req, _res, next) => next();
  return pinoLines(logger);
}

function pinoLines(logger: Logger): HttpLogger<Request, Response> {
  return pinoHttp<Request, Response>({
    logger,
    genReqId: (req) => {
      const value = correlationOf(req);
      if (!value) throw new Error('the access log must be mounted after correlation()');
      return value.requestId;
    },
    customLogLevel: (req) => (PROBE_PATHS.has(pathOf(req.originalUrl)) ? 'debug' : 'info'),
    customSuccessMessage: () => 'request completed',
    customErrorMessage: () => 'request failed with a server error',
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: pathOf(req.url),
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      // An answer of 500 or more gets a generic error here; its cause is in the "request failed" line.
      err: (err: Error) => ({ message: err.message }),
    },
  });
}
