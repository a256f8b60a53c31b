import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The admin key `npm start` gives the API when HERALD_ADMIN_KEY is unset: made once, kept in
 * `<data dir>/admin-key` (readable by the owner only), so the printed curl commands work on
 * every start. Development only: production sets HERALD_ADMIN_KEY or keeps the generated key.
 */
export function devAdminKey(dataDir: string): { key: string; file: string } {
  return devSecret(dataDir, 'admin-key', () => `hrld_${randomBytes(32).toString('base64url')}`);
}

/**
 * The tracking key `npm start` gives the worker and the tracker when TRACKING_KEYS is unset, kept
 * in `<data dir>/tracking-key` like the admin key: links in messages sent on an earlier start
 * still work. Development only: production sets TRACKING_KEYS on every worker and tracker.
 */
export function devTrackingKey(dataDir: string): { key: string; file: string } {
  return devSecret(dataDir, 'tracking-key', () => randomBytes(32).toString('base64url'));
}

/** The secret in `<dataDir>/<name>`, made by `generate` and written there (owner-only) the first time. */
function devSecret(dataDir: string, name: string, generate: () => string): { key: string; file: string } {
  const file = path.join(dataDir, name);
  if (existsSync(file)) return { key: readFileSync(file, 'utf8').trim(), file };
  mkdirSync(dataDir, { recursive: true });
  const key = generate();
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return { key, file };
}
