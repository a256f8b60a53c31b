import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations';

export type Db = Database.Database;

const BUSY_TIMEOUT_MS = 5000;

/** Opens (creating when missing) the SQLite file shared by the API and worker processes. */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  // `timeout` is the busy timeout: set before anything else, since even switching to WAL can
  // meet a lock held by another process opening the same file.
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // WAL lets readers in any process run alongside the single writer.
    db.pragma('journal_mode = WAL');
    // Safe with WAL: a power loss can drop the last commits but never corrupts the file.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function schemaVersion(db: Db): number {
  return Number(db.pragma('user_version', { simple: true }));
}

function migrate(db: Db): void {
  const found = schemaVersion(db);
  if (found > MIGRATIONS.length) {
    throw new Error(
      `The store file has schema version ${found}, newer than the ${MIGRATIONS.length} this Herald knows: upgrade Herald.`,
    );
  }
  if (found === MIGRATIONS.length) return;
  // Several processes may open a fresh file at once: the write lock taken by BEGIN IMMEDIATE
  // makes one of them migrate while the others wait and then find nothing left to do.
  db.transaction(() => {
    for (let version = schemaVersion(db); version < MIGRATIONS.length; version += 1) {
      db.exec(MIGRATIONS[version] ?? '');
      db.pragma(`user_version = ${version + 1}`);
    }
  }).immediate();
}

/** True for a UNIQUE / PRIMARY KEY violation, the signal that another writer got there first. */
export function isUniqueViolation(error: unknown): boolean {
  // Matched by code, not `instanceof Database.SqliteError`: the native addon keeps the class of the
  // first copy of better-sqlite3 loaded in the process, and module registries (Jest) load others.
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  const code = (error as { code: unknown }).code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
