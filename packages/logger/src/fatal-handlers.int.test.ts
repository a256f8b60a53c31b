import { spawn } from 'node:child_process';
import path from 'node:path';

// Spawns a tiny process that uses the built helper: what is under test is how a process ends.
const LOGGER_ENTRY = path.resolve(__dirname, '..', 'dist', 'index.js');

interface Ended {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function runWithFatalHandlers(failure: string): Promise<Ended> {
  const script = `
    const { createLogger, installFatalHandlers } = require(${JSON.stringify(LOGGER_ENTRY)});
    installFatalHandlers(createLogger({ level: 'info', service: 'fatal-test' }), {
      beforeExit: () => process.stderr.write('before exit ran\\n'),
    });
    // Keeps the process alive: only the handlers may end it.
    setInterval(() => {}, 1000);
    setTimeout(() => { ${failure} }, 10);
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

function fatalLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.level === 'fatal');
}

describe('installFatalHandlers', () => {
  it('logs an uncaught exception at fatal and exits with code 1', async () => {
    const ended = await runWithFatalHandlers("throw new Error('boom');");
    expect(ended.code).toBe(1);
    const lines = fatalLines(ended.stdout);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      service: 'fatal-test',
      msg: 'uncaught exception: exiting',
      err: { message: 'boom' },
    });
    expect(ended.stderr).toContain('before exit ran');
  });

  it('logs an unhandled rejection at fatal and exits with code 1', async () => {
    const ended = await runWithFatalHandlers("void Promise.reject(new Error('nobody caught me'));");
    expect(ended.code).toBe(1);
    expect(fatalLines(ended.stdout)).toEqual([
      expect.objectContaining({
        msg: 'unhandled promise rejection: exiting',
        err: expect.objectContaining({ message: 'nobody caught me' }),
      }),
    ]);
  });

  it('exits once when a second error follows the first', async () => {
    const ended = await runWithFatalHandlers(
      "void Promise.reject(new Error('first')); setImmediate(() => { throw new Error('second'); });",
    );
    expect(ended.code).toBe(1);
    expect(fatalLines(ended.stdout)).toHaveLength(1);
    expect(ended.stderr.match(/before exit ran/g)).toHaveLength(1);
  });
});
