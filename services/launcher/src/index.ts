import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { loadConfig, type HeraldConfig } from '@herald/config';
import { HeraldError } from '@herald/errors';
import { createLogger, installFatalHandlers } from '@herald/logger';
import { devAdminKey, devTrackingKey } from './dev-secrets';
import { findExecutable } from './find-executable';
import { firstTriggerInstructions } from './first-trigger';
import { portTaken } from './port-check';
import { startPrivateRedis, type PrivateRedis } from './private-redis';
import { isLocalHost, redisAddress, redisAnswers } from './redis-probe';

/**
 * `npm start`: one ingest API, one worker and one tracker in the foreground, on the embedded
 * defaults, with a private Redis when none answers. Development convenience only: in production
 * each service runs on its own (`node services/<name>/dist/index.js`), as many workers as needed.
 */
async function main(): Promise<void> {
  let config: HeraldConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    fail(error instanceof HeraldError ? error.message : String(error));
  }
  const services = new Map<string, ChildProcess>();
  installFatalHandlers(createLogger({ level: config.log.level, service: 'launcher' }), {
    // The children drain and stop on SIGTERM; without it they would outlive the launcher.
    beforeExit: () => services.forEach((child) => child.kill('SIGTERM')),
  });
  // Checked before anything starts: the API would otherwise fail only after Redis and the worker did.
  if (config.api.port !== 0 && (await portTaken(config.api.host, config.api.port))) {
    fail(
      `API_PORT ${config.api.port} is already in use on ${config.api.host}: stop what listens there, or set API_PORT to a free port.`,
    );
  }
  if (config.tracker.port !== 0 && (await portTaken(config.tracker.host, config.tracker.port))) {
    fail(
      `TRACKER_PORT ${config.tracker.port} is already in use on ${config.tracker.host}: stop what listens there, or set TRACKER_PORT to a free port.`,
    );
  }
  const adminKeyFile = config.auth.adminKey ? undefined : devAdminKey(config.dataDir);
  // Tracking works out of the box here: the worker signs links with the key the tracker verifies.
  const trackingKeyFile = config.tracking.keys.length > 0 ? undefined : devTrackingKey(config.dataDir);
  const childEnv = {
    ...process.env,
    ...(adminKeyFile ? { HERALD_ADMIN_KEY: adminKeyFile.key } : {}),
    ...(trackingKeyFile ? { TRACKING_KEYS: trackingKeyFile.key } : {}),
  };
  const redis = await ensureRedis(config, process.env.PATH ?? '');
  let stopping = false;

  const stopAll = async (exitCode: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    say('stopping: the worker finishes its jobs in flight first');
    await Promise.all(
      [...services.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    await redis?.stop();
    say('stopped');
    process.exit(exitCode);
  };

  for (const name of ['ingest-api', 'worker', 'tracker']) {
    const entry = path.resolve(__dirname, '..', '..', name, 'dist', 'index.js');
    const child = spawn(process.execPath, [entry], {
      env: childEnv,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    services.set(name, child);
    child.stdout?.pipe(process.stdout);
    child.once('exit', (code, signal) => {
      if (!stopping) {
        say(`${name} exited unexpectedly (${code ?? signal}); stopping everything`);
        void stopAll(1);
      }
    });
  }
  const api = services.get('ingest-api');
  api?.stdout?.on('data', function onData(chunk: Buffer) {
    if (chunk.toString().includes('ingest-api listening')) {
      api.stdout?.off('data', onData);
      const host = config.api.host === '0.0.0.0' ? '127.0.0.1' : config.api.host;
      process.stdout.write(
        firstTriggerInstructions(
          `http://${host}:${config.api.port}`,
          config.outbox.dir,
          adminKeyFile ? `$(cat ${adminKeyFile.file})` : '$HERALD_ADMIN_KEY',
        ),
      );
    }
  });
  const tracker = services.get('tracker');
  tracker?.stdout?.on('data', function onData(chunk: Buffer) {
    if (chunk.toString().includes('tracker listening')) {
      tracker.stdout?.off('data', onData);
      const host = config.tracker.host === '0.0.0.0' ? '127.0.0.1' : config.tracker.host;
      say(
        `tracker (opens, clicks, mirror pages, unsubscribe) listening at http://${host}:${config.tracker.port}; links in messages point at ${config.tracking.publicUrl}`,
      );
    }
  });
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
}

/** Uses the Redis at REDIS_URL, or starts a private one when none answers and one is installed. */
async function ensureRedis(config: HeraldConfig, searchPath: string): Promise<PrivateRedis | undefined> {
  const address = redisAddress(config.redis.url);
  if (await redisAnswers(address)) return undefined;
  const binary = findExecutable('redis-server', searchPath);
  if (!binary || !isLocalHost(address.host)) {
    fail(
      [
        `Nothing answers at REDIS_URL=${config.redis.url}.`,
        'Herald needs Redis 6.2 or newer. Either:',
        '  - install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) and run npm start again;',
        '  - or run it in Docker: docker compose up -d redis',
        '  - or point REDIS_URL at a running Redis.',
      ].join('\n'),
    );
  }
  const dir = path.join(config.dataDir, 'redis');
  say(
    `no Redis at ${config.redis.url}: starting a private redis-server (data in ${dir}, AOF on, noeviction)`,
  );
  return startPrivateRedis(binary, address, dir);
}

function say(message: string): void {
  process.stderr.write(`[herald] ${message}\n`);
}

function fail(message: string): never {
  say(message);
  process.exit(1);
}

void main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
