import { newId } from '@herald/contracts';
import { ConflictError } from '@herald/errors';
import type { ApiKey, ApiKeyRepository, Page, PageRequest } from '../ports';
import { accessFieldsOf, AccessTable, type AccessRow } from './access-rows';
import { isUniqueViolation, type Db } from './database';
import { toJson } from './columns';
import { now } from './time';

interface ApiKeyRow extends AccessRow {
  hash: string;
}

function toApiKey(row: ApiKeyRow): ApiKey {
  return { ...accessFieldsOf(row), hash: row.hash };
}

export class EmbeddedApiKeyRepository implements ApiKeyRepository {
  private readonly insert;
  private readonly selectActiveByHash;
  private readonly keys;

  constructor(db: Db) {
    this.insert = db.prepare<[string, string, string, string, string, string | null, string], ApiKeyRow>(
      `INSERT INTO api_keys (id, name, hash, sandboxes, roles, labels, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    );
    this.selectActiveByHash = db.prepare<[string], ApiKeyRow>(
      `SELECT * FROM api_keys WHERE hash = ? AND revoked_at IS NULL`,
    );
    this.keys = new AccessTable(db, 'api_keys', toApiKey);
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
        input.labels ? toJson(input.labels) : null,
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
    return this.keys.list(page);
  }

  async revoke(id: string): Promise<boolean> {
    return this.keys.revoke(id);
  }
}
