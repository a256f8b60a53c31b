import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Identity } from '@herald/contracts';
import type { Store } from './ports';

/**
 * Cross-process check of the profile store: separate OS processes (as the API and the workers
 * are) race to find-or-create and upsert the same identities, and every identity must end up
 * in exactly one profile. The children run the built `dist/`, which jest's globalSetup builds.
 */
export interface ConcurrentUpsertOptions {
  /** What the children pass to `openStore`: a SQLite file path or a MongoDB URL. */
  storeUrl: string;
  /** The parent's own store on the same database, used to check the outcome. */
  store: Store;
  /** A scratch folder for the child script. */
  workDir: string;
  processes?: number;
  identities?: number;
}

const DIST_INDEX = path.resolve(__dirname, '..', 'dist', 'index.js');

// Plain JS: children must not depend on jest's TypeScript transform.
const CHILD_SCRIPT = `'use strict';
const { openStore } = require(${JSON.stringify(DIST_INDEX)});
const [url, sandbox, countText] = process.argv.slice(2);
const count = Number(countText);
const BATCH = 10;

const email = (i) => ({ namespace: 'email', id: 'user-' + i + '@example.com' });
const crm = (i) => ({ namespace: 'crmId', id: 'crm-' + i });

async function main() {
  const store = await openStore({ url });
  process.stdout.write('ready\\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  // A readable stdin keeps the process alive: done with it once the start signal is in.
  process.stdin.destroy();
  let created = 0;
  for (let start = 0; start < count; start += BATCH) {
    const calls = [];
    for (let i = start; i < Math.min(count, start + BATCH); i += 1) {
      calls.push(store.profiles.findOrCreateByIdentity(sandbox, email(i), { attributes: { firstBy: process.pid } }));
      calls.push(store.profiles.upsert(sandbox, { identities: [crm(i), email(i)], attributes: { lastBy: process.pid } }));
    }
    for (const result of await Promise.all(calls)) if (result.created) created += 1;
  }
  await store.close();
  process.stdout.write(JSON.stringify({ created }) + '\\n');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

interface ChildRun {
  child: ChildProcess;
  ready: Promise<void>;
  done: Promise<{ created: number }>;
}

function email(i: number): Identity {
  return { namespace: 'email', id: `user-${i}@example.com` };
}

function crm(i: number): Identity {
  return { namespace: 'crmId', id: `crm-${i}` };
}

function startChild(script: string, storeUrl: string, sandbox: string, count: number): ChildRun {
  const child = spawn(process.execPath, [script, storeUrl, sandbox, String(count)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const ready = new Promise<void>((resolve) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (stdout.startsWith('ready\n')) resolve();
    });
  });
  const done = new Promise<{ created: number }>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        reject(new Error(`child ${child.pid} exited with ${code ?? signal}:\n${stderr}`));
        return;
      }
      resolve(JSON.parse(last) as { created: number });
    });
  });
  // Failures surface through whichever promise the parent awaits; this keeps the others quiet.
  done.catch(() => undefined);
  // An early failure settles `done` first; `ready` must not keep the parent waiting for it.
  return { child, ready: Promise.race([ready, done.then(() => undefined)]), done };
}

export async function expectOneProfilePerIdentityAcrossProcesses(
  options: ConcurrentUpsertOptions,
): Promise<void> {
  const processes = options.processes ?? 2;
  const count = options.identities ?? 200;
  if (!fs.existsSync(DIST_INDEX)) {
    throw new Error(`${DIST_INDEX} is missing: build the workspace first (npx tsc -b).`);
  }
  const script = path.join(options.workDir, `concurrent-upsert-${randomUUID()}.js`);
  fs.writeFileSync(script, CHILD_SCRIPT);
  const sandbox = `concurrent-${randomUUID()}`;

  const runs = Array.from({ length: processes }, () => startChild(script, options.storeUrl, sandbox, count));
  try {
    // Every child has its store open before any starts writing, so their writes truly overlap.
    await Promise.all(runs.map((run) => run.ready));
    for (const run of runs) run.child.stdin?.end('go\n');
    const reports = await Promise.all(runs.map((run) => run.done));

    // Each profile is reported as created by exactly one call, whichever process made it.
    expect(reports.reduce((sum, report) => sum + report.created, 0)).toBe(count);
    const profileIds = new Set<string>();
    for (let i = 0; i < count; i += 1) {
      const byEmail = await options.store.profiles.findByIdentity(sandbox, email(i));
      const byCrm = await options.store.profiles.findByIdentity(sandbox, crm(i));
      expect(byEmail).not.toBeNull();
      expect(byCrm?.id).toBe(byEmail?.id);
      expect(byEmail?.identities).toHaveLength(2);
      if (byEmail) profileIds.add(byEmail.id);
    }
    expect(profileIds.size).toBe(count);

    let listed = 0;
    let cursor: string | undefined;
    do {
      const page = await options.store.profiles.list(sandbox, { limit: 500, cursor });
      listed += page.items.length;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(listed).toBe(count);
  } finally {
    for (const run of runs) {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill();
    }
  }
}
