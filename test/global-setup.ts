import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** Builds the workspace (incremental, a no-op when current) so spawned services run this code. */
export default function globalSetup(): void {
  const root = path.resolve(__dirname, '..');
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-b'], {
    cwd: root,
    stdio: 'inherit',
  });
}
