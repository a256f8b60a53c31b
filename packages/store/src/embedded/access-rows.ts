import type { ApiKey, Page, PageRequest } from '../ports';
import type { Db } from './database';
import { fromJson, setIfPresent } from './columns';
import { pageQuery, toPage } from './paging';
import { now } from './time';

/**
 * API keys and API credentials are both access grants: a name, roles in sandboxes, a creation
 * and maybe a revocation time. Their tables share these columns, and their listing and
 * revocation, so both live here; each table adds its own secret columns.
 */
export interface AccessRow {
  id: string;
  name: string;
  sandboxes: string;
  roles: string;
  labels: string | null;
  created_at: string;
  revoked_at: string | null;
}

/** The entity fields of those shared columns (the same in `ApiKey` and `ApiCredential`). */
export type AccessFields = Pick<
  ApiKey,
  'id' | 'name' | 'sandboxes' | 'roles' | 'labels' | 'createdAt' | 'revokedAt'
>;

export function accessFieldsOf(row: AccessRow): AccessFields {
  const fields: AccessFields = {
    id: row.id,
    name: row.name,
    sandboxes: fromJson<AccessFields['sandboxes']>(row.sandboxes),
    roles: fromJson<AccessFields['roles']>(row.roles),
    createdAt: row.created_at,
  };
  if (row.labels !== null) fields.labels = fromJson<string[]>(row.labels);
  setIfPresent(fields, 'revokedAt', row.revoked_at);
  return fields;
}

/** The queries every access table answers alike: all grants in id order, and revoking one. */
export class AccessTable<Row extends AccessRow, Grant> {
  private readonly selectPage;
  private readonly revokeActive;

  constructor(
    db: Db,
    table: 'api_keys' | 'api_credentials',
    private readonly toGrant: (row: Row) => Grant,
  ) {
    this.selectPage = db.prepare<[string, number], Row>(
      `SELECT * FROM ${table} WHERE id > ? ORDER BY id LIMIT ?`,
    );
    this.revokeActive = db.prepare<[string, string]>(
      `UPDATE ${table} SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`,
    );
  }

  /** Every grant, revoked ones included. */
  list(page?: PageRequest): Page<Grant> {
    const query = pageQuery<[string]>(page, ['']);
    const [afterId] = query.after;
    const rows = this.selectPage.all(afterId, query.fetch);
    return toPage(rows, query, this.toGrant, (row) => [row.id]);
  }

  /** True when this call revoked the grant; false when it does not exist or was revoked already. */
  revoke(id: string): boolean {
    return this.revokeActive.run(now(), id).changes > 0;
  }
}
