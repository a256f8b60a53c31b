import { spawn, type ChildProcess } from 'node:child_process';
import type { ParentEnvironment } from './test-env';
import { waitFor } from './wait-for';

export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Parsed JSON log lines written so far (non-JSON lines are skipped). */
  logs(): Array<Record<string, unknown>>;
  /** Resolves with the first JSON log line `match` accepts. */
  waitForLog(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Sends `signal` and resolves with the exit code (or signal name) once the process exits. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | string>;
  exited: Promise<number | string>;
}

/** Runs a built service (`node <entry>`) with exactly `env` (plus the parent's PATH), capturing its output. */
export function startServiceProcess(
  entry: string,
  env: Record<string, string>,
  parent: ParentEnvironment,
): ServiceProcess {
  const child = spawn(process.execPath, [entry], {
    env: { PATH: parent.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const logs = (): Array<Record<string, unknown>> =>
    output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  return {
    child,
    exited,
    output: () => output,
    logs,
    waitForLog: (match, timeoutMs = 20_000) =>
      waitFor(
        () => {
          if (child.exitCode !== null) throw new Error(`process exited early:\n${output}`);
          return logs().find(match);
        },
        { timeoutMs, description: `a log line from ${entry}` },
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n--- output of ${entry} ---\n${output}`);
      }),
    stop: async (signal = 'SIGTERM', timeoutMs = 20_000) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}
