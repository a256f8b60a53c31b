import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openApiDocument } from './openapi-document';

const REDOCLY = resolve(__dirname, '../../../../node_modules/.bin/redocly');

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: Array<{
    ruleId: string;
    severity: string;
    message: string;
    location: Array<{ pointer: string }>;
  }>;
}

/** `redocly lint --format=json` on `file`; it exits non-zero when it finds errors, with the report still on stdout. */
function lint(file: string, cwd: string): Promise<LintReport> {
  return new Promise((done, fail) => {
    execFile(
      REDOCLY,
      ['lint', file, '--format=json', '--max-problems=1000', '--lint-config=off'],
      {
        cwd,
        timeout: 60_000,
        maxBuffer: 16 * 1024 * 1024,
        // Offline and quiet: no usage data, no update check.
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      },
      (error, stdout, stderr) => {
        try {
          done(JSON.parse(stdout) as LintReport);
        } catch {
          fail(error ?? new Error(`redocly printed no report: ${stderr}`));
        }
      },
    );
  });
}

describe('the OpenAPI document, as @redocly/cli lints it', () => {
  let dir: string;
  beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'herald-openapi-'))));
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('has no errors under the recommended rules', async () => {
    const file = join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(openApiDocument(1000), null, 2));
    // Run from the temp folder, so no redocly.yaml of the project changes the rules.
    const report = await lint(file, dir);
    const errors = report.problems
      .filter((problem) => problem.severity === 'error')
      .map((problem) => `${problem.ruleId} at ${problem.location[0]?.pointer}: ${problem.message}`);
    // Warnings are allowed; their count shows whether they are creeping up.
    process.stdout.write(
      `redocly lint: ${report.totals.errors} errors, ${report.totals.warnings} warnings\n`,
    );
    expect(errors).toEqual([]);
    expect(report.totals.errors).toBe(0);
  }, 90_000);
});
