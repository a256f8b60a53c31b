import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TempDir {
  path: string;
  remove(): void;
}

export function createTempDir(prefix: string): TempDir {
  const dir = mkdtempSync(path.join(os.tmpdir(), `herald-${prefix}-`));
  return { path: dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
