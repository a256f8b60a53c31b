import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { freePort } from './free-port';
import { createTempDir } from './temp-dir';
import { waitFor } from './wait-for';

export interface RedisServerHandle {
  url: string;
  port: number;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. */
  stop(): Promise<void>;
}

/**
 * Starts a private `redis-server` on a free port, for tests that stop or restart Redis
 * (the shared one must never be stopped). Nothing is persisted unless `appendonly` is asked for.
 */
export async function startRedisServer(
  options: { port?: number; appendonly?: boolean } = {},
): Promise<RedisServerHandle> {
  const port = options.port ?? (await freePort());
  const dir = createTempDir('redis');
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir.path,
      '--save',
      '',
      '--appendonly',
      options.appendonly ? 'yes' : 'no',
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(() => redisPing(port), { timeoutMs: 10_000, description: `redis-server on port ${port}` });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      await stopProcess(child, exited);
      dir.remove();
    },
  };
}

/** True when something on `port` answers PING with PONG. */
export async function redisPing(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

async function stopProcess(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
