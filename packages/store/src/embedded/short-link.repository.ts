import type { ShortLink, ShortLinkRepository } from '../ports';
import type { Db } from './database';
import { epochMs } from './engagement.repository';

interface ShortLinkRow {
  code: string;
  sandbox: string;
  token: string;
  /** Epoch milliseconds, so the expiry check and the pruning compare integers on the index. */
  expires_at: number;
}

export class EmbeddedShortLinkRepository implements ShortLinkRepository {
  private readonly insertBatch;
  private readonly selectLive;
  private readonly deleteExpired;

  constructor(db: Db) {
    // OR IGNORE: a taken code keeps its link; the caller learns which codes were taken.
    const insert = db.prepare<[string, string, string, number]>(
      `INSERT OR IGNORE INTO short_links (code, sandbox, token, expires_at) VALUES (?, ?, ?, ?)`,
    );
    this.insertBatch = db.transaction((rows: ReadonlyArray<[string, string, string, number]>): string[] =>
      rows.filter((row) => insert.run(...row).changes === 0).map(([code]) => code),
    );
    this.selectLive = db.prepare<[string, number], ShortLinkRow>(
      `SELECT * FROM short_links WHERE code = ? AND expires_at > ?`,
    );
    this.deleteExpired = db.prepare<[number]>(`DELETE FROM short_links WHERE expires_at <= ?`);
  }

  async insertMany(links: readonly ShortLink[]): Promise<string[]> {
    if (links.length === 0) return [];
    // Converted before the transaction: a batch with a bad timestamp stores nothing.
    const rows = links.map((link, index): [string, string, string, number] => [
      link.code,
      link.sandbox,
      link.token,
      epochMs(link.expiresAt, `/${index}/expiresAt`),
    ]);
    return this.insertBatch.immediate(rows);
  }

  async get(code: string, now: Date = new Date()): Promise<ShortLink | null> {
    const row = this.selectLive.get(code, now.getTime());
    return row
      ? {
          code: row.code,
          sandbox: row.sandbox,
          token: row.token,
          expiresAt: new Date(row.expires_at).toISOString(),
        }
      : null;
  }

  /** Removes the links expired at `now`; returns how many. SQLite has no TTL index. */
  pruneExpired(now: Date = new Date()): number {
    return this.deleteExpired.run(now.getTime()).changes;
  }
}
