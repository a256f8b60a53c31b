import { newId } from '@herald/contracts';
import { ConflictError } from '@herald/errors';
import type { ApiKey, ApiKeyRepository, ApiKeyRole, Page, PageRequest } from '../ports';
import { isUniqueViolation, type Db } from './database';
import { fromJson, setIfPresent, toJson } from './columns';
import { pageQuery, toPage } from './paging';
import { now } from './time';

interface ApiKeyRow {
  id: string;
  name: string;
  hash: string;
  sandboxes: string;
  roles: string;
  created_at: string;
  revoked_at: string | null;
}

function toApiKey(row: ApiKeyRow): ApiKey {
  const key: ApiKey = {
    id: row.id,
    name: row.name,
    hash: row.hash,
    sandboxes: fromJson<string[]>(row.sandboxes),
    roles: fromJson<ApiKeyRole[]>(row.roles),
    createdAt: row.created_at,
  };
  setIfPresent(key, 'revokedAt', row.revoked_at);
  return key;
}

export class EmbeddedApiKeyRepository implements ApiKeyRepository {
  private readonly insert;
  private readonly selectActiveByHash;
  private readonly selectPage;
  private readonly revokeActive;

  constructor(db: Db) {
    this.insert = db.prepare<[string, string, string, string, string, string], ApiKeyRow>(
      `INSERT INTO api_keys (id, name, hash, sandboxes, roles, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
    );
    this.selectActiveByHash = db.prepare<[string], ApiKeyRow>(
      `SELECT * FROM api_keys WHERE hash = ? AND revoked_at IS NULL`,
    );
    this.selectPage = db.prepare<[string, number], ApiKeyRow>(
      `SELECT * FROM api_keys WHERE id > ? ORDER BY id LIMIT ?`,
    );
    this.revokeActive = db.prepare<[string, string]>(
      `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`,
    );
  }

  async create(input: Omit<ApiKey, 'id' | 'createdAt' | 'revokedAt'> & { id?: string }): Promise<ApiKey> {
    const id = input.id ?? newId();
    try {
      const row = this.insert.get(
        id,
        input.name,
        input.hash,
        toJson(input.sandboxes),
        toJson(input.roles),
        now(),
      );
      if (!row) throw new Error(`API key ${id} was not stored.`);
      return toApiKey(row);
    } catch (error) {
      // The unique key on `hash` decides, so two processes storing the same key cannot both win.
      if (
        isUniqueViolation(error) &&
        String((error as { message?: unknown }).message).includes('api_keys.hash')
      ) {
        throw new ConflictError('api-key-exists', 'An API key with this hash is already stored.');
      }
      throw error;
    }
  }

  async findByHash(hash: string): Promise<ApiKey | null> {
    const row = this.selectActiveByHash.get(hash);
    return row ? toApiKey(row) : null;
  }

  async list(page?: PageRequest): Promise<Page<ApiKey>> {
    const query = pageQuery<[string]>(page, ['']);
    const [afterId] = query.after;
    const rows = this.selectPage.all(afterId, query.fetch);
    return toPage(rows, query, toApiKey, (row) => [row.id]);
  }

  async revoke(id: string): Promise<boolean> {
    return this.revokeActive.run(now(), id).changes > 0;
  }
}
