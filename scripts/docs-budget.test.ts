import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..');

/** Every file under a folder, recursively, less installed and built code. */
function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    if (['node_modules', 'dist', '.build'].includes(name)) return [];
    const file = path.join(folder, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

const sources = ['packages', 'services', 'test', 'bench', 'scripts', 'infra']
  .flatMap((folder) => filesUnder(path.join(root, folder)))
  .concat(['docker-compose.yml', '.ci/run'].map((file) => path.join(root, file)));

const documents = [path.join(root, 'README.md'), ...filesUnder(path.join(root, 'docs'))];

// A newcomer reads the README and finds the rest from it: both budgets are the outcomes.
describe('the documentation budget', () => {
  it('keeps README.md a map of at most 12 KB', () => {
    expect(statSync(path.join(root, 'README.md')).size).toBeLessThanOrEqual(12 * 1024);
  });

  it('keeps docs/, generated references included, within 160 KB', () => {
    const total = filesUnder(path.join(root, 'docs')).reduce((sum, file) => sum + statSync(file).size, 0);
    expect(total).toBeLessThanOrEqual(160 * 1024);
  });

  it('points at no file outside the project, in docs or in code comments', () => {
    const outside = [...documents, ...sources].filter((file) =>
      /DESIGN(\.md| §)|\.\.\/shared\//.test(readFileSync(file, 'utf8')),
    );
    expect(outside.map((file) => path.relative(root, file))).toEqual([]);
  });

  it('links only to files that exist', () => {
    const broken = documents.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
        .map((match) => match[1] ?? '')
        .filter((target) => !/^[a-z]+:/.test(target) && !target.startsWith('/'))
        .filter((target) => {
          try {
            statSync(path.resolve(path.dirname(file), target));
            return false;
          } catch {
            return true;
          }
        })
        .map((target) => `${path.relative(root, file)} -> ${target}`),
    );
    expect(broken).toEqual([]);
  });
});
