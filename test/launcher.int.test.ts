import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  createTempDir,
  freePort,
  redisPing,
  startServiceProcess,
  uniqueQueuePrefix,
  waitFor,
  type TempDir,
} from '@herald/testing';
import { LAUNCHER_ENTRY } from './support/herald-processes';

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
});
