import { newId } from '@herald/contracts';
import { ConflictError } from '@herald/errors';
import type { ApiKey, ApiKeyRepository, Page, PageRequest } from '../ports';
import type { ApiKeyDoc, ApiKeyModel } from './api-key.model';
import { toIso } from './dates';
import { isDuplicateKeyError } from './duplicate-key';
import { cursorAfter, pageLimit, toPage } from './paging';

export function toApiKey(doc: ApiKeyDoc): ApiKey {
  return {
    id: doc._id,
    name: doc.name,
    hash: doc.hash,
    sandboxes: [...doc.sandboxes],
    roles: [...doc.roles],
    createdAt: toIso(doc.createdAt),
    ...(doc.revokedAt != null ? { revokedAt: toIso(doc.revokedAt) } : {}),
  };
}

export class MongoApiKeyRepository implements ApiKeyRepository {
  constructor(private readonly apiKeys: ApiKeyModel) {}

  async create(input: Omit<ApiKey, 'id' | 'createdAt' | 'revokedAt'> & { id?: string }): Promise<ApiKey> {
    const doc: ApiKeyDoc = {
      _id: input.id ?? newId(),
      name: input.name,
      hash: input.hash,
      sandboxes: [...input.sandboxes],
      roles: [...input.roles],
      createdAt: new Date(),
    };
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
    const limit = pageLimit(page);
    const after = cursorAfter(page, 'string');
    const docs = await this.apiKeys
      .find(after !== undefined ? { _id: { $gt: after } } : {})
      .sort({ _id: 1 })
      .limit(limit + 1)
      .lean<ApiKeyDoc[]>()
      .exec();
    return toPage(docs, limit, (doc) => doc._id, toApiKey);
  }

  /** True when this call revoked the key; false when it does not exist or was revoked already. */
  async revoke(id: string): Promise<boolean> {
    const { modifiedCount } = await this.apiKeys
      .updateOne({ _id: id, revokedAt: null }, { $set: { revokedAt: new Date() } })
      .exec();
    return modifiedCount === 1;
  }
}
