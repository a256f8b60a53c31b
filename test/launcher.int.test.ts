import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  createTempDir,
  freePort,
  redisPing,
  startServiceProcess,
  testRedisUrl,
  uniqueQueuePrefix,
  waitFor,
  type TempDir,
} from '@herald/testing';
import { LAUNCHER_ENTRY } from './support/herald-processes';

/** Listens on a free loopback port, as another program holding API_PORT would. */
async function occupyPort(): Promise<{ port: number; release(): Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('no port assigned');
  return { port: address.port, release: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** `npm start` runs `node services/launcher/dist/index.js` after the build: this is that process. */
describe('npm start (the launcher)', () => {
  let dir: TempDir;
  beforeEach(() => (dir = createTempDir('launcher')));
  afterEach(() => dir.remove());

  it('starts a private Redis when none answers, runs API and worker, prints the first trigger, and stops cleanly on Ctrl-C', async () => {
    const redisPort = await freePort();
    const apiPort = await freePort();
    const launcher = startServiceProcess(
      LAUNCHER_ENTRY,
      {
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        QUEUE_PREFIX: uniqueQueuePrefix('launcher'),
        HERALD_DATA_DIR: dir.path,
        API_PORT: String(apiPort),
      },
      process.env,
    );
    try {
      await waitFor(() => launcher.output().includes('Send a first trigger'), {
        timeoutMs: 30_000,
        description: 'the first-trigger instructions',
      }).catch((error: Error) => {
        throw new Error(`${error.message}\n${launcher.output()}`);
      });
      expect(launcher.output()).toContain(`http://127.0.0.1:${apiPort}/im/executions/unitary`);
      expect(launcher.output()).toContain(path.join(dir.path, 'outbox'));
      expect(await redisPing(redisPort)).toBe(true);
      const ready = await fetch(`http://127.0.0.1:${apiPort}/ready`);
      expect(ready.status).toBe(200);
      await waitFor(() => launcher.logs().some((line) => line.msg === 'worker ready'), {
        description: 'the worker',
      });
    } finally {
      expect(await launcher.stop('SIGINT')).toBe(0);
    }
    expect(await redisPing(redisPort)).toBe(false);
    expect(existsSync(path.join(dir.path, 'redis'))).toBe(true);
    expect(launcher.logs().some((line) => line.msg === 'worker stopped')).toBe(true);
    expect(launcher.logs().some((line) => line.msg === 'ingest-api stopped')).toBe(true);
  });

  it('says how to get Redis when none answers and none is installed', async () => {
    const launcher = startServiceProcess(
      LAUNCHER_ENTRY,
      {
        REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
        HERALD_DATA_DIR: dir.path,
        PATH: path.join(dir.path, 'empty-bin'),
      },
      process.env,
    );
    expect(await launcher.exited).toBe(1);
    expect(launcher.output()).toContain('Nothing answers at REDIS_URL');
    expect(launcher.output()).toContain('docker compose up -d redis');
  });

  it('stops with one message listing every bad setting', async () => {
    const launcher = startServiceProcess(
      LAUNCHER_ENTRY,
      {
        API_PORT: 'x',
        WORKER_QUEUES: 'fax',
        HERALD_DATA_DIR: dir.path,
      },
      process.env,
    );
    expect(await launcher.exited).toBe(1);
    expect(launcher.output()).toMatch(/API_PORT[\s\S]*WORKER_QUEUES|WORKER_QUEUES[\s\S]*API_PORT/);
  });

  it('stops within 10 s naming API_PORT when another program listens on it', async () => {
    const taken = await occupyPort();
    try {
      const started = Date.now();
      const launcher = startServiceProcess(
        LAUNCHER_ENTRY,
        { API_PORT: String(taken.port), HERALD_DATA_DIR: dir.path },
        process.env,
      );
      const timer = setTimeout(() => launcher.child.kill('SIGKILL'), 10_000);
      const code = await launcher.exited;
      clearTimeout(timer);
      expect({ code, output: launcher.output() }).toEqual({
        code: 1,
        output: expect.stringContaining(`API_PORT ${taken.port} is already in use`),
      });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(launcher.output()).not.toContain('Herald is running');
    } finally {
      await taken.release();
    }
  });

  it('stops everything when the API cannot listen', async () => {
    // A documentation address (TEST-NET-1) is on no local interface: the port check passes, the
    // API's own listen fails, and the launcher must notice its child's exit. Nothing is sent there.
    const launcher = startServiceProcess(
      LAUNCHER_ENTRY,
      {
        REDIS_URL: testRedisUrl(process.env),
        QUEUE_PREFIX: uniqueQueuePrefix('launcher-listen'),
        HERALD_DATA_DIR: dir.path,
        API_HOST: '192.0.2.1',
        API_PORT: String(await freePort()),
      },
      process.env,
    );
    // Not the 10 s of the taken port: here API and worker start first, which is slow on a busy machine.
    const timer = setTimeout(() => launcher.child.kill('SIGKILL'), 45_000);
    const code = await launcher.exited;
    clearTimeout(timer);
    expect({ code, output: launcher.output() }).toEqual({
      code: 1,
      output: expect.stringContaining('ingest-api exited unexpectedly'),
    });
    expect(launcher.logs()).toContainEqual(
      expect.objectContaining({
        level: 'fatal',
        msg: expect.stringContaining('cannot listen on 192.0.2.1:'),
      }),
    );
    expect(launcher.output()).not.toContain('Herald is running');
  });
});
