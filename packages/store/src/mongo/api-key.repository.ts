import { ConflictError } from '@herald/errors';
import type { ApiKey, ApiKeyRepository, Page, PageRequest } from '../ports';
import { accessFieldsOf, listAccessDocs, newAccessDoc, revokeAccessDoc } from './access-documents';
import type { ApiKeyDoc, ApiKeyModel } from './api-key.model';
import { isDuplicateKeyError } from './duplicate-key';

function toApiKey(doc: ApiKeyDoc): ApiKey {
  return { ...accessFieldsOf(doc), hash: doc.hash };
}

export class MongoApiKeyRepository implements ApiKeyRepository {
  constructor(private readonly apiKeys: ApiKeyModel) {}

  async create(input: Omit<ApiKey, 'id' | 'createdAt' | 'revokedAt'> & { id?: string }): Promise<ApiKey> {
    const doc: ApiKeyDoc = { ...newAccessDoc(input), hash: input.hash };
    try {
      await this.apiKeys.insertOne(doc);
    } catch (error) {
      // The unique index on `hash` decides, so two processes storing one key cannot both win.
      if (!isDuplicateKeyError(error)) throw error;
      throw new ConflictError('api-key-exists', 'This API key (or its id) is already stored.');
    }
    return toApiKey(doc);
  }

  async findByHash(hash: string): Promise<ApiKey | null> {
    // `revokedAt: null` matches keys that were never revoked (the field is absent).
    const doc = await this.apiKeys.findOne({ hash, revokedAt: null }).lean<ApiKeyDoc>().exec();
    return doc ? toApiKey(doc) : null;
  }

  async list(page?: PageRequest): Promise<Page<ApiKey>> {
    return listAccessDocs(this.apiKeys, page, toApiKey);
  }

  async revoke(id: string): Promise<boolean> {
    return revokeAccessDoc(this.apiKeys, id);
  }
}
