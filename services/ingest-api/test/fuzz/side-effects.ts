import Database from 'better-sqlite3';
import type { Redis } from 'ioredis';

/** What the API has queued and stored, cheap enough to take around every request. */
export interface Snapshot {
  /** Keys under the queue prefix: a queued job adds its hash, an idempotency claim its record. */
  redisKeys: ReadonlySet<string>;
  /** Rows of every table of the embedded store. */
  rows: Readonly<Record<string, number>>;
  /** SQLite's counter of commits made by other connections: moves on any write, updates too. */
  dataVersion: number;
}

/**
 * Per-key call counters, written on purpose for every call (refused ones included) and gone
 * after two seconds: not something a refused request stored.
 */
const COUNTERS = /:rate-limit:/;

/** Takes snapshots of one API's Redis keys (under its prefix) and of its embedded store file. */
export class SideEffects {
  private readonly db: Database.Database;
  private readonly countRows: Database.Statement<[], Record<string, number>>;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    storeFile: string,
  ) {
    // A connection of its own: data_version only counts other connections' commits.
    this.db = new Database(storeFile, { readonly: true, fileMustExist: true });
    const tables = this.db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
      )
      .all()
      .map((row) => row.name);
    this.countRows = this.db.prepare(
      `SELECT ${tables.map((table) => `(SELECT count(*) FROM "${table}") AS "${table}"`).join(', ')}`,
    );
  }

  async snapshot(): Promise<Snapshot> {
    const redisKeys = new Set<string>();
    for await (const batch of this.redis.scanStream({ match: `${this.prefix}:*`, count: 1000 })) {
      for (const key of batch as string[]) if (!COUNTERS.test(key)) redisKeys.add(key);
    }
    const rows = this.countRows.get() ?? {};
    const dataVersion = Number(this.db.pragma('data_version', { simple: true }));
    return { redisKeys, rows, dataVersion };
  }

  close(): void {
    this.db.close();
  }
}

/** What changed between two snapshots, in words; empty when nothing did. */
export function changesBetween(before: Snapshot, after: Snapshot): string[] {
  const changes: string[] = [];
  const added = [...after.redisKeys].filter((key) => !before.redisKeys.has(key));
  const removed = [...before.redisKeys].filter((key) => !after.redisKeys.has(key));
  if (added.length > 0) changes.push(`Redis keys added: ${added.slice(0, 5).join(', ')}`);
  if (removed.length > 0) changes.push(`Redis keys removed: ${removed.slice(0, 5).join(', ')}`);
  for (const [table, count] of Object.entries(after.rows)) {
    if (before.rows[table] !== count)
      changes.push(`store table ${table}: ${before.rows[table]} → ${count} rows`);
  }
  if (changes.length === 0 && before.dataVersion !== after.dataVersion) {
    changes.push('store written (rows updated in place)');
  }
  return changes;
}
