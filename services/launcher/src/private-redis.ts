import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { redisAnswers, type RedisAddress } from './redis-probe';

export interface PrivateRedis {
  /** SIGTERM (Redis flushes its AOF on a clean shutdown) and wait for the exit. */
  stop(): Promise<void>;
}

/**
 * Starts `redis-server` for `npm start` when none answers: data under `dir`, AOF on, and
 * `noeviction` so queued jobs are never dropped. It runs in its own process group so a Ctrl-C
 * in the terminal does not stop it before the worker has finished its jobs.
 */
export async function startPrivateRedis(
  binary: string,
  address: RedisAddress,
  dir: string,
): Promise<PrivateRedis> {
  mkdirSync(dir, { recursive: true });
  const child: ChildProcess = spawn(
    binary,
    [
      '--bind',
      address.host === 'localhost' ? '127.0.0.1' : address.host,
      '--port',
      String(address.port),
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
      '--logfile',
      'redis.log',
    ],
    { stdio: 'ignore', detached: true },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(await redisAnswers(address))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not start on port ${address.port}; see ${dir}/redis.log`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
