import type { Job } from 'bullmq';
import type { Logger } from '@herald/logger';

/**
 * The logger of one job's lines: each names the job, its execution and the `x-request-id` of the
 * call that queued it, so a caller's report leads to every line about its messages. Only ids:
 * addresses and profiles never go into logs. The data is read defensively, since a malformed job
 * is logged too.
 */
export function jobLogger(logger: Logger, job: Job): Logger {
  const data: unknown = job.data;
  const field = (name: string): string | undefined => {
    if (typeof data !== 'object' || data === null) return undefined;
    const value = (data as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  };
  const executionId = field('executionId');
  const xRequestId = field('xRequestId');
  return logger.child({
    jobId: job.id,
    ...(executionId === undefined ? {} : { executionId }),
    ...(xRequestId === undefined ? {} : { xRequestId }),
  });
}
