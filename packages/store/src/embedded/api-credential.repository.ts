import { newId } from '@herald/contracts';
import { ConflictError } from '@herald/errors';
import type { ApiCredential, ApiCredentialRepository, NewApiCredential, Page, PageRequest } from '../ports';
import { accessFieldsOf, AccessTable, type AccessRow } from './access-rows';
import { isUniqueViolation, type Db } from './database';
import { toJson } from './columns';
import { now } from './time';

interface ApiCredentialRow extends AccessRow {
  client_id: string;
  secret_hash: string;
  org_id: string;
}

function toApiCredential(row: ApiCredentialRow): ApiCredential {
  return {
    ...accessFieldsOf(row),
    clientId: row.client_id,
    secretHash: row.secret_hash,
    orgId: row.org_id,
  };
}

export class EmbeddedApiCredentialRepository implements ApiCredentialRepository {
  private readonly insert;
  private readonly selectActiveByClientId;
  private readonly selectActiveById;
  private readonly credentials;

  constructor(db: Db) {
    this.insert = db.prepare<
      [string, string, string, string, string, string, string, string | null, string],
      ApiCredentialRow
    >(
      `INSERT INTO api_credentials (id, name, client_id, secret_hash, org_id, sandboxes, roles, labels, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    );
    this.selectActiveByClientId = db.prepare<[string], ApiCredentialRow>(
      `SELECT * FROM api_credentials WHERE client_id = ? AND revoked_at IS NULL`,
    );
    this.selectActiveById = db.prepare<[string], ApiCredentialRow>(
      `SELECT * FROM api_credentials WHERE id = ? AND revoked_at IS NULL`,
    );
    this.credentials = new AccessTable(db, 'api_credentials', toApiCredential);
  }

  async create(input: NewApiCredential): Promise<ApiCredential> {
    const id = input.id ?? newId();
    try {
      const row = this.insert.get(
        id,
        input.name,
        input.clientId,
        input.secretHash,
        input.orgId,
        toJson(input.sandboxes),
        toJson(input.roles),
        input.labels ? toJson(input.labels) : null,
        now(),
      );
      if (!row) throw new Error(`API credential ${id} was not stored.`);
      return toApiCredential(row);
    } catch (error) {
      // The unique keys on `id` and `client_id` decide, so two processes cannot both win.
      if (isUniqueViolation(error)) {
        throw new ConflictError(
          'api-credential-exists',
          'An API credential with this id or client id exists.',
        );
      }
      throw error;
    }
  }

  async findByClientId(clientId: string): Promise<ApiCredential | null> {
    const row = this.selectActiveByClientId.get(clientId);
    return row ? toApiCredential(row) : null;
  }

  async findActive(id: string): Promise<ApiCredential | null> {
    const row = this.selectActiveById.get(id);
    return row ? toApiCredential(row) : null;
  }

  async list(page?: PageRequest): Promise<Page<ApiCredential>> {
    return this.credentials.list(page);
  }

  async revoke(id: string): Promise<boolean> {
    return this.credentials.revoke(id);
  }
}
