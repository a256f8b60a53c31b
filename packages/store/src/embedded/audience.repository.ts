import type { Identity } from '@herald/contracts';
import { newId } from '@herald/contracts';
import type { Audience, AudienceRepository, NewAudience, Page, PageRequest } from '../ports';
import type { Db } from './database';
import { fromJsonOrUndefined, setIfPresent, toJsonOrNull } from './columns';
import { pageQuery, toPage } from './paging';
import { now } from './time';

interface AudienceRow {
  sandbox: string;
  id: string;
  name: string;
  description: string | null;
  kind: Audience['kind'];
  query: string | null;
  identities: string | null;
  created_at: string;
  updated_at: string;
}

interface AudienceColumns {
  sandbox: string;
  id: string;
  name: string;
  description: string | null;
  kind: Audience['kind'];
  query: string | null;
  identities: string | null;
  at: string;
}

function toAudience(row: AudienceRow): Audience {
  const audience: Audience = {
    id: row.id,
    sandbox: row.sandbox,
    name: row.name,
    kind: row.kind,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  setIfPresent(audience, 'description', row.description);
  setIfPresent(audience, 'query', fromJsonOrUndefined<Record<string, unknown>>(row.query));
  setIfPresent(audience, 'identities', fromJsonOrUndefined<Identity[]>(row.identities));
  return audience;
}

export class EmbeddedAudienceRepository implements AudienceRepository {
  private readonly insert;
  private readonly selectOne;
  private readonly selectPage;
  private readonly deleteOne;

  constructor(db: Db) {
    this.insert = db.prepare<AudienceColumns, AudienceRow>(
      `INSERT INTO audiences (sandbox, id, name, description, kind, query, identities, created_at, updated_at)
       VALUES (@sandbox, @id, @name, @description, @kind, @query, @identities, @at, @at)
       RETURNING *`,
    );
    this.selectOne = db.prepare<[string, string], AudienceRow>(
      `SELECT * FROM audiences WHERE sandbox = ? AND id = ?`,
    );
    this.selectPage = db.prepare<[string, string, number], AudienceRow>(
      `SELECT * FROM audiences WHERE sandbox = ? AND id > ? ORDER BY id LIMIT ?`,
    );
    this.deleteOne = db.prepare<[string, string]>(`DELETE FROM audiences WHERE sandbox = ? AND id = ?`);
  }

  async create(input: NewAudience): Promise<Audience> {
    const id = input.id ?? newId();
    const row = this.insert.get({
      sandbox: input.sandbox,
      id,
      name: input.name,
      description: input.description ?? null,
      kind: input.kind,
      query: toJsonOrNull(input.query),
      identities: toJsonOrNull(input.identities),
      at: now(),
    });
    if (!row) throw new Error(`Audience ${id} was not stored.`);
    return toAudience(row);
  }

  async get(sandbox: string, id: string): Promise<Audience | null> {
    const row = this.selectOne.get(sandbox, id);
    return row ? toAudience(row) : null;
  }

  async delete(sandbox: string, id: string): Promise<boolean> {
    return this.deleteOne.run(sandbox, id).changes > 0;
  }

  async list(sandbox: string, page?: PageRequest): Promise<Page<Audience>> {
    const query = pageQuery<[string]>(page, ['']);
    const [afterId] = query.after;
    const rows = this.selectPage.all(sandbox, afterId, query.fetch);
    return toPage(rows, query, toAudience, (row) => [row.id]);
  }
}
