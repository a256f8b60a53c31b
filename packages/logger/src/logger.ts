import pino from 'pino';

export type Logger = pino.Logger;

export interface LoggerOptions {
  level: string;
  /** Service name, added to every line. */
  service: string;
  /** Where lines go; stdout when omitted. Tests pass a stream to read what was logged. */
  destination?: pino.DestinationStream;
}

/**
 * Paths that may carry secrets or personal data. Redaction is a safety net: code should not
 * log these in the first place.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  '*.apiKey',
  '*.password',
  '*.profile',
  '*.context',
  '*.html',
  '*.text',
  '*.body',
];

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}

/** Writes out buffered lines, then exits: log lines written just before an exit are kept. */
export function flushAndExit(logger: Logger, code: number): void {
  logger.flush(() => process.exit(code));
  // If the destination cannot flush (closed stream), exit anyway.
  setTimeout(() => process.exit(code), 2000).unref();
}
