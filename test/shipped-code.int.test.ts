import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..');

/** The test-only naming convention: what no package or service may ship. */
const TEST_ONLY_FILE = /\.(test|int\.test|contract|fixture)\.(js|d\.ts|js\.map|d\.ts\.map)$/;
const TEST_ONLY_FOLDER = /(^|\/)test-support(\/|$)/;

/** Packages only the tests use; none may be installed by `npm ci --omit=dev`. */
const TEST_ONLY_PACKAGES = [
  '@herald/testing',
  'smtp-server',
  'mailparser',
  'supertest',
  'jest',
  '@swc/jest',
  'autocannon',
];

/** Every product build output: dist/ of each package and service (@herald/testing is test-only). */
function productDists(): string[] {
  return ['packages', 'services'].flatMap((group) =>
    fs
      .readdirSync(path.join(root, group))
      .filter((name) => !(group === 'packages' && name === 'testing'))
      .map((name) => path.join(root, group, name, 'dist'))
      .filter((dist) => fs.existsSync(dist)),
  );
}

function filesUnder(folder: string): string[] {
  return fs
    .readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)));
}

describe('what the build ships', () => {
  // globalSetup ran `tsc -b`, so every dist/ is current.
  it('holds no test, contract suite, fixture or test support in any package or service dist/', () => {
    const dists = productDists();
    expect(dists.length).toBeGreaterThan(10);
    const testOnly = dists
      .flatMap(filesUnder)
      .filter((file) => TEST_ONLY_FILE.test(file) || TEST_ONLY_FOLDER.test(file));
    expect(testOnly).toEqual([]);
  });

  it('installs no test-only package as a production dependency', () => {
    const parseable = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
      cwd: root,
      encoding: 'utf8',
    });
    const installed = new Set(
      parseable
        .split('\n')
        .filter((line) => line.includes('node_modules/'))
        .map((line) => line.slice(line.lastIndexOf('node_modules/') + 'node_modules/'.length)),
    );
    expect(TEST_ONLY_PACKAGES.filter((name) => installed.has(name))).toEqual([]);
  });
});
