import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';

/** What a caller's correlation header may hold: printable ASCII, bounded (it is logged and echoed). */
const SAFE_HEADER = /^[\x21-\x7e]{1,128}$/;

export interface Correlation {
  /** The caller's `x-request-id`, or one generated for this request. */
  requestId: string;
  /** The caller's `x-gw-ims-org-id` (AJO organisation), when given and well-formed. */
  orgId?: string;
}

/**
 * Gives every request a correlation id: the caller's `x-request-id` when it is well-formed, else a
 * new one. It is echoed in the `x-request-id` answer header and named in the logs of a failed
 * request and of an accepted execution, so a caller's report can be matched with ours.
 */
export function correlation(): RequestHandler {
  return (req, res, next) => {
    const given = req.header('x-request-id');
    const org = req.header('x-gw-ims-org-id');
    const value: Correlation = {
      requestId: given !== undefined && SAFE_HEADER.test(given) ? given : randomUUID(),
      ...(org !== undefined && SAFE_HEADER.test(org) ? { orgId: org } : {}),
    };
    (req as Request & { heraldCorrelation?: Correlation }).heraldCorrelation = value;
    res.setHeader('x-request-id', value.requestId);
    next();
  };
}

export function correlationOf(req: Request): Correlation | undefined {
  return (req as Request & { heraldCorrelation?: Correlation }).heraldCorrelation;
}

/** The correlation ids in a log line, named as in the failed-request line. */
export interface CorrelationLogFields {
  xRequestId?: string;
  orgId?: string;
}

export function correlationLogFields(value: Correlation | undefined): CorrelationLogFields {
  return { xRequestId: value?.requestId, orgId: value?.orgId };
}
