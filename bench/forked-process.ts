import { fork } from 'node:child_process';

/** A request to a forked bench process; the answer carries the same `id`. */
export interface IpcRequest {
  id: number;
  type: string;
  [key: string]: unknown;
}

export interface ForkedProcess {
  readonly pid: number | undefined;
  /** Sends `{ type, ...payload }` and resolves with the child's answer. */
  request<T>(type: string, payload?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  output(): string;
  exited(): boolean;
  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves once the process is gone. */
  stop(timeoutMs: number): Promise<void>;
}

/**
 * Forks `entry` with an IPC channel and exactly `env`. Resolves once the child sends
 * `{ type: 'ready', ... }`, with that message; rejects with the child's output if it dies first.
 */
export async function forkBenchProcess<Ready>(
  entry: string,
  args: readonly string[],
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): Promise<{ child: ForkedProcess; ready: Ready }> {
  const child = fork(entry, [...args], {
    env,
    execArgv: [...nodeArgs],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = `${output}${chunk.toString()}`.slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const exited = (): boolean => child.exitCode !== null || child.signalCode !== null;
  const pending = new Map<number, (answer: unknown) => void>();
  let nextId = 1;
  const ready = new Promise<Ready>((resolve, reject) => {
    child.on('message', (message: { type?: string; id?: number }) => {
      if (message.type === 'ready') resolve(message as Ready);
      const answer = message.id === undefined ? undefined : pending.get(message.id);
      if (answer && message.id !== undefined) {
        pending.delete(message.id);
        answer(message);
      }
    });
    void exit.then(() => reject(new Error(`${entry} exited before it was ready:\n${output}`)));
  });
  const handle: ForkedProcess = {
    pid: child.pid,
    output: () => output,
    exited,
    request: async <T>(type: string, payload: Record<string, unknown> = {}, timeoutMs = 30_000) =>
      new Promise<T>((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${entry} did not answer ${type} within ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        pending.set(id, (answer) => {
          clearTimeout(timer);
          resolve(answer as T);
        });
        child.send({ ...payload, id, type } satisfies IpcRequest);
      }),
    stop: async (timeoutMs) => {
      if (!exited()) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exit;
      clearTimeout(timer);
    },
  };
  try {
    return { child: handle, ready: await ready };
  } catch (error) {
    await handle.stop(1000);
    throw error;
  }
}

/** In a forked child: answers each request with `handler`'s result under the request's id. */
export function serveIpc(handler: (request: IpcRequest) => Promise<Record<string, unknown>>): void {
  process.on('message', (request: IpcRequest) => {
    void handler(request)
      .then((answer) => process.send?.({ ...answer, id: request.id }))
      .catch((error: unknown) =>
        process.send?.({ id: request.id, error: error instanceof Error ? error.message : String(error) }),
      );
  });
}
