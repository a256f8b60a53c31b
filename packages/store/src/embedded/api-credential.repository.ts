import { newId } from '@herald/contracts';
import { ConflictError } from '@herald/errors';
import type {
  ApiCredential,
  ApiCredentialRepository,
  ApiKeyRole,
  NewApiCredential,
  Page,
  PageRequest,
} from '../ports';
import { isUniqueViolation, type Db } from './database';
import { fromJson, setIfPresent, toJson } from './columns';
import { pageQuery, toPage } from './paging';
import { now } from './time';

interface ApiCredentialRow {
  id: string;
  name: string;
  client_id: string;
  secret_hash: string;
  org_id: string;
  sandboxes: string;
  roles: string;
  created_at: string;
  revoked_at: string | null;
}

function toApiCredential(row: ApiCredentialRow): ApiCredential {
  const credential: ApiCredential = {
    id: row.id,
    name: row.name,
    clientId: row.client_id,
    secretHash: row.secret_hash,
    orgId: row.org_id,
    sandboxes: fromJson<string[]>(row.sandboxes),
    roles: fromJson<ApiKeyRole[]>(row.roles),
    createdAt: row.created_at,
  };
  setIfPresent(credential, 'revokedAt', row.revoked_at);
  return credential;
}

export class EmbeddedApiCredentialRepository implements ApiCredentialRepository {
  private readonly insert;
  private readonly selectActiveByClientId;
  private readonly selectActiveById;
  private readonly selectPage;
  private readonly revokeActive;

  constructor(db: Db) {
    this.insert = db.prepare<
      [string, string, string, string, string, string, string, string],
      ApiCredentialRow
    >(
      `INSERT INTO api_credentials (id, name, client_id, secret_hash, org_id, sandboxes, roles, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    );
    this.selectActiveByClientId = db.prepare<[string], ApiCredentialRow>(
      `SELECT * FROM api_credentials WHERE client_id = ? AND revoked_at IS NULL`,
    );
    this.selectActiveById = db.prepare<[string], ApiCredentialRow>(
      `SELECT * FROM api_credentials WHERE id = ? AND revoked_at IS NULL`,
    );
    this.selectPage = db.prepare<[string, number], ApiCredentialRow>(
      `SELECT * FROM api_credentials WHERE id > ? ORDER BY id LIMIT ?`,
    );
    this.revokeActive = db.prepare<[string, string]>(
      `UPDATE api_credentials SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`,
    );
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
    const query = pageQuery<[string]>(page, ['']);
    const [afterId] = query.after;
    const rows = this.selectPage.all(afterId, query.fetch);
    return toPage(rows, query, toApiCredential, (row) => [row.id]);
  }

  async revoke(id: string): Promise<boolean> {
    return this.revokeActive.run(now(), id).changes > 0;
  }
}
