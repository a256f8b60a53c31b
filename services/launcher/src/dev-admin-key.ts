import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The admin key `npm start` gives the API when HERALD_ADMIN_KEY is unset: made once, kept in
 * `<data dir>/admin-key` (readable by the owner only), so the printed curl commands work on
 * every start. Development only: production sets HERALD_ADMIN_KEY or keeps the generated key.
 */
export function devAdminKey(dataDir: string): { key: string; file: string } {
  const file = path.join(dataDir, 'admin-key');
  if (existsSync(file)) return { key: readFileSync(file, 'utf8').trim(), file };
  mkdirSync(dataDir, { recursive: true });
  const key = `hrld_${randomBytes(32).toString('base64url')}`;
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return { key, file };
}
