import { spawn } from 'node:child_process';

export interface ServerProcess {
  readonly pid: number | undefined;
  /** Everything the process wrote so far, for the error when it dies. */
  output(): string;
  exited(): boolean;
  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves once the process is gone. */
  stop(timeoutMs: number): Promise<void>;
}

/** Runs `node [nodeArgs] <entry> [args]` with exactly `env`, its output kept for diagnostics. */
export function startServerProcess(
  entry: string,
  args: readonly string[],
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): ServerProcess {
  const child = spawn(process.execPath, [...nodeArgs, entry, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = `${output}${chunk.toString()}`.slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const exited = (): boolean => child.exitCode !== null || child.signalCode !== null;
  return {
    pid: child.pid,
    output: () => output,
    exited,
    stop: async (timeoutMs) => {
      if (!exited()) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exit;
      clearTimeout(timer);
    },
  };
}
