import type { Server } from 'node:http';
import { flushAndExit, type Logger } from '@herald/logger';

export interface GracefulStop {
  /** `ingest-api`, `worker`, `tracker`: names the log lines. */
  service: string;
  /** What stopping does, for the log line that starts it ("no new connections, …"). */
  stopping: string;
  /** What is left undone when the timeout ends it ("exiting with jobs in flight"). */
  timedOut: string;
  /** SHUTDOWN_TIMEOUT_MS: after it the process exits 1 whatever is still running. */
  timeoutMs: number;
  /** Stops taking work and finishes or hands back what is in flight. */
  stop(): Promise<void>;
}

/**
 * On SIGTERM or SIGINT (once), runs `stop` and exits 0, or exits 1 when it fails or outlasts
 * `timeoutMs`. Every service stops this way, so a supervisor sees the same behaviour from each.
 */
export function stopOnSignals(logger: Logger, options: GracefulStop): void {
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `${options.service} shutting down: ${options.stopping}`);
    const force = setTimeout(() => {
      logger.error(`shutdown timed out; ${options.timedOut}`);
      process.exit(1);
    }, options.timeoutMs);
    force.unref();
    options
      .stop()
      .then(() => {
        logger.info(`${options.service} stopped`);
        flushAndExit(logger, 0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'error while closing');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** Stops accepting connections, closes the idle ones, and resolves once the requests in flight are answered. */
export function closeHttpServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  return closed;
}
