import { flushAndExit, type Logger } from './logger';

export interface FatalHandlerOptions {
  /**
   * Runs once, synchronously, after the fatal line is logged and before the exit: for a process
   * that must not leave others behind (the launcher signals its children).
   */
  beforeExit?: () => void;
}

/**
 * Makes an uncaught exception or an unhandled promise rejection end the process with exit code 1
 * and one `fatal` log line, written out before the exit. Node's default would print a bare stack
 * to stderr, outside the JSON logs, and a process in an unknown state must not go on serving.
 */
export function installFatalHandlers(logger: Logger, options: FatalHandlerOptions = {}): void {
  let exiting = false;
  const fatal = (error: unknown, message: string): void => {
    // A second failure while the first is being written out would only repeat the exit.
    if (exiting) return;
    exiting = true;
    logger.fatal({ err: error }, message);
    try {
      options.beforeExit?.();
    } finally {
      flushAndExit(logger, 1);
    }
  };
  process.on('uncaughtException', (error) => fatal(error, 'uncaught exception: exiting'));
  process.on('unhandledRejection', (reason) => fatal(reason, 'unhandled promise rejection: exiting'));
}
