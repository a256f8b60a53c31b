import type { MirrorPage, MirrorPageRepository } from '../ports';
import type { Db } from './database';
import { epochMs } from './engagement.repository';

interface MirrorPageRow {
  sandbox: string;
  delivery_id: string;
  subject: string;
  html: string;
  /** Epoch milliseconds, so the expiry check and the pruning compare integers on the index. */
  expires_at: number;
}

function toMirrorPage(row: MirrorPageRow): MirrorPage {
  return {
    sandbox: row.sandbox,
    deliveryId: row.delivery_id,
    subject: row.subject,
    html: row.html,
    expiresAt: new Date(row.expires_at).toISOString(),
  };
}

export class EmbeddedMirrorPageRepository implements MirrorPageRepository {
  private readonly upsert;
  private readonly selectLive;
  private readonly deleteExpired;

  constructor(db: Db) {
    this.upsert = db.prepare<MirrorPageRow>(
      `INSERT INTO mirror_pages (sandbox, delivery_id, subject, html, expires_at)
       VALUES (@sandbox, @delivery_id, @subject, @html, @expires_at)
       ON CONFLICT (sandbox, delivery_id) DO UPDATE SET
         subject = excluded.subject, html = excluded.html, expires_at = excluded.expires_at`,
    );
    this.selectLive = db.prepare<[string, string, number], MirrorPageRow>(
      `SELECT * FROM mirror_pages WHERE sandbox = ? AND delivery_id = ? AND expires_at > ?`,
    );
    this.deleteExpired = db.prepare<[number]>(`DELETE FROM mirror_pages WHERE expires_at <= ?`);
  }

  async put(page: MirrorPage): Promise<void> {
    this.upsert.run({
      sandbox: page.sandbox,
      delivery_id: page.deliveryId,
      subject: page.subject,
      html: page.html,
      expires_at: epochMs(page.expiresAt, 'expiresAt'),
    });
  }

  async get(sandbox: string, deliveryId: string, now: Date = new Date()): Promise<MirrorPage | null> {
    const row = this.selectLive.get(sandbox, deliveryId, now.getTime());
    return row ? toMirrorPage(row) : null;
  }

  /** Removes the pages expired at `now`; returns how many. SQLite has no TTL index. */
  pruneExpired(now: Date = new Date()): number {
    return this.deleteExpired.run(now.getTime()).changes;
  }
}
