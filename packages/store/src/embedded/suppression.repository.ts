import type { Channel } from '@herald/contracts';
import { normaliseAddress, SPARES_TRANSACTIONAL } from '../suppressed-addresses';

/** The SQL list of the reasons that spare transactional messages (fixed names, no user input). */
const MARKETING_ONLY = SPARES_TRANSACTIONAL.map((reason) => `'${reason}'`).join(', ');
import type { Page, PageRequest, Suppression, SuppressionReason, SuppressionRepository } from '../ports';
import type { Db } from './database';
import { pageQuery, toPage } from './paging';
import { now } from './time';

interface SuppressionRow {
  sandbox: string;
  channel: Channel;
  address: string;
  reason: SuppressionReason;
  source: string;
  created_at: string;
}

function toSuppression(row: SuppressionRow): Suppression {
  return {
    sandbox: row.sandbox,
    channel: row.channel,
    address: row.address,
    reason: row.reason,
    source: row.source,
    createdAt: row.created_at,
  };
}

export class EmbeddedSuppressionRepository implements SuppressionRepository {
  private readonly insertIfMissing;
  private readonly selectOne;
  private readonly selectPage;
  private readonly deleteOne;

  constructor(private readonly db: Db) {
    // The first entry is kept (its reason and date explain the suppression), except that a reason
    // that spares transactional messages gives way to one that stops them all.
    this.insertIfMissing = db.prepare<[string, string, string, string, string, string]>(
      `INSERT INTO suppressions (sandbox, channel, address, reason, source, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (sandbox, channel, address) DO UPDATE SET
         reason = excluded.reason, source = excluded.source, created_at = excluded.created_at
       WHERE suppressions.reason IN (${MARKETING_ONLY}) AND excluded.reason NOT IN (${MARKETING_ONLY})`,
    );
    this.selectOne = db.prepare<[string, string, string], SuppressionRow>(
      `SELECT * FROM suppressions WHERE sandbox = ? AND channel = ? AND address = ?`,
    );
    this.selectPage = db.prepare<[string, string, string, number], SuppressionRow>(
      `SELECT * FROM suppressions WHERE sandbox = ? AND channel = ? AND address > ? ORDER BY address LIMIT ?`,
    );
    this.deleteOne = db.prepare<[string, string, string]>(
      `DELETE FROM suppressions WHERE sandbox = ? AND channel = ? AND address = ?`,
    );
  }

  async add(entry: Omit<Suppression, 'createdAt'>): Promise<Suppression> {
    const address = normaliseAddress(entry.channel, entry.address);
    const row = this.db
      .transaction(() => {
        this.insertIfMissing.run(entry.sandbox, entry.channel, address, entry.reason, entry.source, now());
        return this.selectOne.get(entry.sandbox, entry.channel, address);
      })
      .immediate();
    if (!row) throw new Error(`Suppression of ${entry.channel} address was not stored.`);
    return toSuppression(row);
  }

  async remove(sandbox: string, channel: Channel, address: string): Promise<boolean> {
    return this.deleteOne.run(sandbox, channel, normaliseAddress(channel, address)).changes > 0;
  }

  async find(sandbox: string, channel: Channel, address: string): Promise<Suppression | null> {
    const row = this.selectOne.get(sandbox, channel, normaliseAddress(channel, address));
    return row ? toSuppression(row) : null;
  }

  async list(sandbox: string, channel: Channel, page?: PageRequest): Promise<Page<Suppression>> {
    const query = pageQuery<[string]>(page, ['']);
    const [afterAddress] = query.after;
    const rows = this.selectPage.all(sandbox, channel, afterAddress, query.fetch);
    return toPage(rows, query, toSuppression, (row) => [row.address]);
  }
}
