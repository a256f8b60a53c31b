import express, { type Express } from 'express';
import type { Queue } from 'bullmq';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { BoardHooks } from '@bull-board/api/typings/app';
import { ExpressAdapter } from '@bull-board/express';
import type { ApiKeyAuthenticator } from '../auth/api-key-authenticator';
import { apiKeyFromBasicAuth, requireAdminKey, requireAllSandboxes } from './basic-auth';
import { maskAddressesInText, redactJobData } from './redact-job-data';

/** Where the board is mounted; its pages, assets and JSON API all live under it. */
export const BULL_BOARD_PATH = '/admin/queues';

export interface BullBoardDeps {
  /** The delivery queues and the audience fan-out queue. */
  queues: readonly Queue[];
  /** Only show jobs; otherwise failed and delayed jobs may also be retried, cleaned and promoted. */
  readOnly: boolean;
  authenticator: ApiKeyAuthenticator;
}

/**
 * The board actions a writable board allows. Everything else that changes Redis stays refused:
 * editing job data would write the redacted view back over the real job, and adding jobs or
 * emptying, pausing and obliterating queues bypass the API's checks and delivery records.
 */
const WRITE_ACTIONS: ReadonlySet<string> = new Set([
  'put /api/queues/:queueName/:jobId/retry',
  'put /api/queues/:queueName/retry/:queueStatus',
  'put /api/queues/:queueName/:jobId/clean',
  'put /api/queues/:queueName/clean/:queueStatus',
  'put /api/queues/:queueName/:jobId/promote',
  'put /api/queues/:queueName/promote',
]);

/**
 * Bull Board for operators, as an app to mount at BULL_BOARD_PATH: admin keys of every sandbox
 * only (also as HTTP Basic credentials, for the browser), job data redacted, read-only unless
 * configured.
 */
export function bullBoard(deps: BullBoardDeps): Express {
  const serverAdapter = new ExpressAdapter().setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: deps.queues.map((queue) => redactedAdapter(queue, deps.readOnly)),
    serverAdapter,
    options: {
      uiConfig: { boardTitle: 'Herald queues', hideDocsLink: true },
      handlerHooks: boardHooks(deps.readOnly),
    },
  });
  // Typed `any` by @bull-board/express; it is the express app its ExpressAdapter builds.
  const board: Express = serverAdapter.getRouter();
  board.disable('x-powered-by');
  const guarded = express();
  guarded.disable('x-powered-by');
  guarded.use(apiKeyFromBasicAuth(deps.authenticator), requireAdminKey(), requireAllSandboxes(), board);
  return guarded;
}

function redactedAdapter(queue: Queue, readOnly: boolean): BullMQAdapter {
  const adapter = new BullMQAdapter(queue, {
    readOnlyMode: readOnly,
    description:
      'Failed jobs are the dead letter, kept until replayed (POST /executions/{id}/failures/replay) or removed.',
  });
  adapter.setFormatter('data', redactJobData);
  return adapter;
}

function boardHooks(readOnly: boolean): BoardHooks {
  return {
    before: ({ method, route }) =>
      method === 'get' || (!readOnly && WRITE_ACTIONS.has(`${method} ${route}`))
        ? undefined
        : { allow: false, status: 405, errorKey: 'ERRORS.QUEUE_READ_ONLY' },
    // Provider errors are meant to carry no address, but the board shows them verbatim.
    after: (_context, result) => ({ ...result, body: maskJobErrors(result.body) }),
  };
}

/** A board answer with the addresses in every job's failedReason and stacktrace masked. */
function maskJobErrors<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => maskJobErrors(item)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const masked: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (key === 'failedReason' && typeof field === 'string') masked[key] = maskAddressesInText(field);
    else if (key === 'stacktrace' && Array.isArray(field))
      masked[key] = field.map((line: unknown) =>
        typeof line === 'string' ? maskAddressesInText(line) : line,
      );
    else masked[key] = maskJobErrors(field);
  }
  return masked as T;
}
