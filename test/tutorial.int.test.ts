import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROCESS_ADMIN_KEY, startHeraldSystem, type HeraldSystem } from './support/herald-processes';

const TUTORIAL = path.resolve(__dirname, '..', 'docs', 'tutorial.md');

/** The `sh` fenced blocks of a Markdown page, in order. */
function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '');
}

interface ScriptRun {
  code: number | null;
  output: string;
}

/**
 * Runs the blocks in one `bash -euo pipefail` session, as a reader pasting them in order would, so
 * variables and the working folder carry from one block to the next. An ERR trap names the block
 * that failed.
 */
async function runBlocks(blocks: string[], env: Record<string, string>, cwd: string): Promise<ScriptRun> {
  const script = [
    'trap \'echo "tutorial block $BLOCK failed" >&2\' ERR',
    ...blocks.map((block, index) => `BLOCK=${index + 1}\n${block}`),
  ].join('\n');
  const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
    cwd,
    // TMPDIR inside the test folder: the tutorial's `mktemp -d` is removed with it.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TMPDIR: cwd, ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, output };
}

describe('docs/tutorial.md, run against a started API and worker', () => {
  let system: HeraldSystem;
  let run: ScriptRun;
  let outbox: string;

  beforeAll(async () => {
    system = await startHeraldSystem('tutorial');
    outbox = path.join(system.dir.path, 'outbox');
    const blocks = shellBlocks(readFileSync(TUTORIAL, 'utf8'));
    run = await runBlocks(
      blocks,
      { HERALD_URL: system.apiUrl, HERALD_KEY: PROCESS_ADMIN_KEY, HERALD_OUTBOX: outbox },
      system.dir.path,
    );
  }, 120_000);

  // The test environment removes the keys under this file's queue prefix when the file ends.
  afterAll(async () => system?.stop());

  it('finds shell blocks to run', () => {
    expect(shellBlocks(readFileSync(TUTORIAL, 'utf8')).length).toBeGreaterThan(5);
  });

  it('runs every block with exit status 0', () => {
    if (run.code !== 0) throw new Error(`tutorial exited ${run.code}:\n${run.output}`);
  });

  it('leaves the messages it promises in the outbox', () => {
    const sms = readdirSync(path.join(outbox, 'sms')).map((file) =>
      readFileSync(path.join(outbox, 'sms', file), 'utf8'),
    );
    expect(sms.map((text) => (JSON.parse(text) as { body: string }).body).sort()).toEqual([
      'Commande G-9 expédiée : https://track.example.com/G-9',
      'Hi Ada, order A-1001 has shipped: https://track.example.com/A-1001',
    ]);
    const [email] = readdirSync(path.join(outbox, 'email'));
    expect(readFileSync(path.join(outbox, 'email', email ?? ''), 'utf8')).toContain('Subject: Hello Ada');
    expect(readdirSync(path.join(outbox, 'push'))).toHaveLength(1);
  });

  it('prints the refusal of a key without the manage role', () => {
    expect(run.output).toMatch(/^403$/m);
  });
});
