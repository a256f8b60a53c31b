import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '@herald/config';
import { deliveryQueueName, FANOUT_QUEUE, FEEDBACK_WEBHOOK_QUEUE, QUEUE_NAMES } from '@herald/contracts';
import { createTempDir, type TempDir } from '@herald/testing';

// There is no Docker engine where the tests run: these tests read the deployment files and check
// them against what the code expects (env names, ports, entry points, durability settings).

const root = path.resolve(__dirname, '..');
const read = (relative: string): string => readFileSync(path.join(root, relative), 'utf8');

interface Healthcheck {
  test?: string | string[];
  disable?: boolean;
}

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string; target?: string };
  command?: string | string[];
  container_name?: string;
  ports?: (string | number | { published?: string | number; target?: number })[];
  environment?: Record<string, string | number | boolean | null> | string[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: Healthcheck;
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const compose = parse(read('docker-compose.yml')) as ComposeFile;

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

function environment(name: string): Record<string, string> {
  const env = service(name).environment ?? {};
  const entries = Array.isArray(env)
    ? env.map((line): [string, string] => {
        const eq = line.indexOf('=');
        return eq === -1 ? [line, ''] : [line.slice(0, eq), line.slice(eq + 1)];
      })
    : Object.entries(env).map(([key, value]): [string, string] => [key, String(value ?? '')]);
  return Object.fromEntries(entries);
}

interface Mount {
  source: string;
  target: string;
  bind: boolean;
}

function mounts(name: string): Mount[] {
  return (service(name).volumes ?? []).map((volume) => {
    if (typeof volume === 'string') {
      const [source = '', target = ''] = volume.split(':');
      return { source, target, bind: source.startsWith('.') || source.startsWith('/') };
    }
    const source = volume.source ?? '';
    return { source, target: volume.target ?? '', bind: volume.type === 'bind' };
  });
}

/** The container ports a service publishes on the host, as "host:container" pairs. */
function publishedPorts(name: string): { host: string; container: string }[] {
  return (service(name).ports ?? []).map((port) => {
    if (typeof port === 'object')
      return { host: String(port.published ?? ''), container: String(port.target) };
    const parts = String(port).split(':');
    return {
      host: parts.length > 1 ? (parts[parts.length - 2] ?? '') : '',
      container: parts[parts.length - 1] ?? '',
    };
  });
}

function build(name: string): { context: string; dockerfile: string; target?: string } {
  const spec = service(name).build;
  if (spec === undefined) throw new Error(`service "${name}" is not built from this repository`);
  if (typeof spec === 'string') return { context: spec, dockerfile: 'Dockerfile' };
  return { context: spec.context ?? '.', dockerfile: spec.dockerfile ?? 'Dockerfile', target: spec.target };
}

interface Stage {
  name: string;
  from: string;
  instructions: string[];
}

/** Splits a Dockerfile into its stages, joining continued lines and dropping comments. */
function dockerStages(dockerfile: string): Stage[] {
  const lines = dockerfile
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const from = /^FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      stages.push({ from: from[1] ?? '', name: from[2] ?? String(stages.length), instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(line);
    }
  }
  return stages;
}

const dockerfilePath = build('ingest-api').dockerfile;
const stages = dockerStages(read(dockerfilePath));

/** A stage's instructions including those it inherits from the stages it is built FROM. */
function effectiveInstructions(stageName: string): string[] {
  const stage = stages.find((candidate) => candidate.name === stageName);
  if (!stage) throw new Error(`${dockerfilePath} has no stage "${stageName}"`);
  return [
    ...(stages.some((s) => s.name === stage.from) ? effectiveInstructions(stage.from) : []),
    ...stage.instructions,
  ];
}

function lastInstruction(stageName: string, keyword: string): string | undefined {
  return effectiveInstructions(stageName)
    .filter((line) => line.toUpperCase().startsWith(`${keyword} `))
    .at(-1);
}

describe('docker-compose.yml', () => {
  it('defines redis, mongo, a mail catcher, the ingest API and the worker', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['redis', 'mongo', 'mailcatcher', 'ingest-api', 'worker']),
    );
  });

  it('lets the worker scale: no container_name, no host ports', () => {
    expect(service('worker').container_name).toBeUndefined();
    expect(service('worker').ports ?? []).toEqual([]);
  });

  it('publishes the ingest API on port 8080, listening on all interfaces inside its container', () => {
    expect(publishedPorts('ingest-api')).toContainEqual({ host: '8080', container: '8080' });
    expect(environment('ingest-api')).toMatchObject({ API_HOST: '0.0.0.0', API_PORT: '8080' });
  });

  it.each(['ingest-api', 'worker'])(
    'connects %s to the compose Redis and the MongoDB replica set',
    (name) => {
      const env = environment(name);
      expect(env.REDIS_URL).toBe('redis://redis:6379');
      expect(env.STORE_URL).toMatch(/^mongodb:\/\/mongo:27017\/\w+\?(.*&)?replicaSet=rs0(&|$)/);
    },
  );

  it('keeps the outbox on a named volume shared by every worker replica', () => {
    const outboxDir = environment('worker').OUTBOX_DIR;
    expect(outboxDir).toBeDefined();
    const mount = mounts('worker').find((m) => m.target === outboxDir);
    expect(mount).toMatchObject({ bind: false });
    expect(Object.keys(compose.volumes ?? {})).toContain(mount?.source);
  });

  it('declares every named volume a service mounts', () => {
    const named = Object.keys(compose.services)
      .flatMap(mounts)
      .filter((m) => !m.bind)
      .map((m) => m.source);
    expect(named.length).toBeGreaterThan(0);
    for (const volume of named) expect(Object.keys(compose.volumes ?? {})).toContain(volume);
  });

  it('starts Redis with the repository config: AOF on, fsync every second, never evict', () => {
    const mount = mounts('redis').find((m) => m.source === './infra/redis/redis.conf');
    expect(mount).toBeDefined();
    expect(service('redis').command).toContain(mount?.target);
    expect(mounts('redis')).toContainEqual(expect.objectContaining({ target: '/data', bind: false }));

    const conf = read('infra/redis/redis.conf');
    expect(conf).toMatch(/^appendonly yes$/m);
    expect(conf).toMatch(/^appendfsync everysec$/m);
    expect(conf).toMatch(/^maxmemory-policy noeviction$/m);
    expect(conf).toMatch(/^dir \/data$/m);
  });

  it('runs MongoDB as replica set rs0, initiated by its healthcheck script', () => {
    expect(service('mongo').command).toEqual(expect.arrayContaining(['--replSet', 'rs0', '--bind_ip_all']));
    const script = mounts('mongo').find((m) => m.source === './infra/mongo/init-replica-set.js');
    expect(script).toBeDefined();
    expect(service('mongo').healthcheck?.test).toContain(script?.target);
  });

  it('refers only to files that exist: Dockerfile, configs, init script', () => {
    const referenced = Object.keys(compose.services).flatMap((name) => [
      ...mounts(name)
        .filter((m) => m.bind)
        .map((m) => m.source),
      ...(service(name).build ? [path.join(build(name).context, build(name).dockerfile)] : []),
    ]);
    expect(referenced).toEqual(
      expect.arrayContaining([
        './infra/redis/redis.conf',
        './infra/mongo/init-replica-set.js',
        'infra/docker/Dockerfile',
      ]),
    );
    for (const file of referenced)
      expect({ file, exists: existsSync(path.resolve(root, file)) }).toEqual({ file, exists: true });
  });

  it('builds each Node service from the Dockerfile stage named after it', () => {
    for (const name of ['ingest-api', 'worker']) {
      expect(build(name)).toEqual({ context: '.', dockerfile: dockerfilePath, target: name });
      expect(stages.map((stage) => stage.name)).toContain(name);
    }
  });

  it("gives every service a healthcheck, its own or its image's", () => {
    for (const [name, spec] of Object.entries(compose.services)) {
      const test = spec.healthcheck?.test ?? (spec.build ? imageHealthcheck(build(name).target) : undefined);
      expect({ name, test }).toEqual({ name, test: expect.anything() });
      expect({ name, disabled: spec.healthcheck?.disable ?? false }).toEqual({ name, disabled: false });
    }
  });

  it('serves every queue Herald has from some worker service', () => {
    // A worker serves the queues its WORKER_QUEUES names, read as the worker reads it.
    const served = Object.keys(compose.services)
      .filter((name) => service(name).build && build(name).target === 'worker')
      .flatMap((name) => {
        const queues = environment(name).WORKER_QUEUES;
        const { worker } = loadConfig(queues === undefined ? {} : { WORKER_QUEUES: queues });
        return [
          ...worker.queues.map(deliveryQueueName),
          ...(worker.fanOut ? [FANOUT_QUEUE] : []),
          ...(worker.feedbackWebhooks ? [FEEDBACK_WEBHOOK_QUEUE] : []),
        ];
      });
    expect(new Set(served)).toEqual(
      new Set([...Object.values(QUEUE_NAMES), FANOUT_QUEUE, FEEDBACK_WEBHOOK_QUEUE]),
    );
  });

  it('starts a service only once the services it depends on are healthy', () => {
    for (const [name, spec] of Object.entries(compose.services)) {
      if (spec.depends_on === undefined) continue;
      // The short list form would only wait for the containers to start.
      expect({ name, listForm: Array.isArray(spec.depends_on) }).toEqual({ name, listForm: false });
      for (const [dependency, { condition }] of Object.entries(spec.depends_on)) {
        expect({ name, dependency, condition }).toEqual({ name, dependency, condition: 'service_healthy' });
      }
    }
    expect(Object.keys(service('ingest-api').depends_on ?? {}).sort()).toEqual(['mongo', 'redis']);
    expect(Object.keys(service('worker').depends_on ?? {}).sort()).toEqual(['mongo', 'redis']);
  });
});

/** The stage's HEALTHCHECK command, unless it has none or turns it off. */
function imageHealthcheck(stageName: string | undefined): string | undefined {
  const healthcheck = stageName === undefined ? undefined : lastInstruction(stageName, 'HEALTHCHECK');
  return healthcheck === undefined || /^HEALTHCHECK\s+NONE$/i.test(healthcheck) ? undefined : healthcheck;
}

/** The image a stage starts from, with a `${ARG}` resolved to the ARG's default. */
function baseImage(stageName: string): string {
  const stage = stages.find((candidate) => candidate.name === stageName);
  if (!stage) throw new Error(`${dockerfilePath} has no stage "${stageName}"`);
  if (stages.some((s) => s.name === stage.from)) return baseImage(stage.from);
  const arg = /^\$\{?(\w+)\}?$/.exec(stage.from)?.[1];
  if (arg === undefined) return stage.from;
  const value = new RegExp(`^ARG\\s+${arg}=(\\S+)`, 'm').exec(read(dockerfilePath))?.[1];
  if (value === undefined) throw new Error(`${dockerfilePath}: ARG ${arg} has no default`);
  return value;
}

describe('infra/docker/Dockerfile', () => {
  it.each(['ingest-api', 'worker'])(
    'builds %s on a maintained Node LTS (22 or newer, even major)',
    (name) => {
      const image = baseImage(name);
      const major = Number(/^node:(\d+)/.exec(image)?.[1]);
      expect({ image, lts: major >= 22 && major % 2 === 0 }).toEqual({ image, lts: true });
    },
  );

  it("checks the API's health on GET /health at its port, and the worker's in its own way", () => {
    expect(imageHealthcheck('ingest-api')).toMatch(/CMD .*API_PORT.*\/health/);
    expect(imageHealthcheck('worker')).toMatch(/CMD .*REDIS_URL/);
  });

  it('puts in the image only what the build stage kept: dist and production dependencies', () => {
    for (const name of ['ingest-api', 'worker']) {
      const copies = effectiveInstructions(name).filter((line) => /^COPY\s/i.test(line));
      for (const copy of copies)
        expect({ name, copy }).toEqual({ name, copy: expect.stringMatching(/--from=build\s/) });
    }
    const buildStage = effectiveInstructions('build');
    const pruneDev = buildStage.findIndex((line) => /npm prune --omit=dev/.test(line));
    const pruneRest = buildStage.findIndex((line) => /^RUN\s+prune-to-runtime\.sh\s+\/app$/.test(line));
    expect(pruneDev).toBeGreaterThanOrEqual(0);
    expect(pruneRest).toBeGreaterThan(pruneDev);
  });

  it.each(['ingest-api', 'worker'])('starts %s from its built entry point, whose source exists', (name) => {
    const cmd = lastInstruction(name, 'CMD');
    expect(cmd).toBeDefined();
    // Exec form, so node is the process that receives SIGTERM and can drain before exiting.
    const argv = JSON.parse((cmd ?? '').slice('CMD'.length).trim()) as string[];
    expect(argv).toEqual(['node', `services/${name}/dist/index.js`]);
    expect(existsSync(path.join(root, 'services', name, 'src', 'index.ts'))).toBe(true);
  });

  it.each(['ingest-api', 'worker'])('runs %s as the non-root node user with NODE_ENV=production', (name) => {
    expect(lastInstruction(name, 'USER')).toBe('USER node');
    expect(effectiveInstructions(name).join('\n')).toMatch(/^ENV\s.*\bNODE_ENV=production\b/m);
  });

  it('keeps local dependencies, build output and data out of the build context', () => {
    const ignored = read('.dockerignore')
      .split(/\r?\n/)
      .map((line) => line.trim());
    expect(ignored).toEqual(
      expect.arrayContaining(['**/node_modules', '**/dist', '.build', '.git', 'coverage']),
    );
    expect(ignored.some((line) => /(^|\/)\.data$/.test(line))).toBe(true);
  });
});

describe('infra/docker/prune-to-runtime.sh', () => {
  let dir: TempDir;
  beforeEach(() => (dir = createTempDir('prune-to-runtime')));
  afterEach(() => dir.remove());

  const write = (relative: string, content = ''): void => {
    const file = path.join(dir.path, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  };
  const workspace = (
    folder: string,
    name: string,
    dependencies: string[],
    devDependencies: string[] = [],
  ) => {
    const versions = (names: string[]) => Object.fromEntries(names.map((n) => [n, '0.1.0']));
    write(
      `${folder}/package.json`,
      JSON.stringify({
        name,
        dependencies: versions(dependencies),
        devDependencies: versions(devDependencies),
      }),
    );
    for (const file of ['src/index.ts', 'src/index.test.ts', 'test/flow.int.test.ts', 'dist/index.js'])
      write(`${folder}/${file}`);
    for (const file of ['index.test.js', 'flow.int.test.d.ts', 'test-support/standin.js', '.tsbuildinfo'])
      write(`${folder}/dist/${file}`);
    write(`${folder}/node_modules/own-dep/index.js`);
    mkdirSync(path.join(dir.path, 'node_modules/@herald'), { recursive: true });
    symlinkSync(path.join('..', '..', folder), path.join(dir.path, 'node_modules', name));
  };
  const files = (): string[] =>
    execFileSync('find', ['.', '(', '-type', 'f', '-o', '-type', 'l', ')'], {
      cwd: dir.path,
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean)
      .map((file) => file.slice(2))
      .sort();

  it("keeps the services' production workspaces with their dist and node_modules, and no test code", () => {
    workspace('packages/logger', '@herald/logger', []);
    workspace('packages/testing', '@herald/testing', ['@herald/logger']);
    workspace('services/ingest-api', '@herald/ingest-api', ['@herald/logger'], ['@herald/testing']);
    workspace('services/worker', '@herald/worker', ['@herald/logger']);
    workspace('services/launcher', '@herald/launcher', ['@herald/logger']);

    execFileSync('sh', [path.join(root, 'infra/docker/prune-to-runtime.sh'), dir.path]);

    const kept = (folder: string) => [
      `${folder}/dist/index.js`,
      `${folder}/node_modules/own-dep/index.js`,
      `${folder}/package.json`,
    ];
    expect(files()).toEqual(
      [
        ...['logger', 'ingest-api', 'worker'].map((name) => `node_modules/@herald/${name}`),
        ...kept('packages/logger'),
        ...kept('services/ingest-api'),
        ...kept('services/worker'),
      ].sort(),
    );
  });
});

describe('.ci/run', () => {
  it('is an executable bash script that stops on the first error', () => {
    const script = path.join(root, '.ci', 'run');
    expect(statSync(script).mode & 0o111).not.toBe(0);
    const text = read('.ci/run');
    expect(text.startsWith('#!/usr/bin/env bash\n')).toBe(true);
    expect(text).toMatch(/^set -euo pipefail$/m);
  });
});
