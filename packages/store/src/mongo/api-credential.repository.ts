import { newId } from '@herald/contracts';
import { ConflictError } from '@herald/errors';
import type { ApiCredential, ApiCredentialRepository, NewApiCredential, Page, PageRequest } from '../ports';
import type { ApiCredentialDoc, ApiCredentialModel } from './api-credential.model';
import { toIso } from './dates';
import { isDuplicateKeyError } from './duplicate-key';
import { cursorAfter, pageLimit, toPage } from './paging';

function toApiCredential(doc: ApiCredentialDoc): ApiCredential {
  return {
    id: doc._id,
    name: doc.name,
    clientId: doc.clientId,
    secretHash: doc.secretHash,
    orgId: doc.orgId,
    sandboxes: [...doc.sandboxes],
    roles: [...doc.roles],
    createdAt: toIso(doc.createdAt),
    ...(doc.revokedAt != null ? { revokedAt: toIso(doc.revokedAt) } : {}),
  };
}

export class MongoApiCredentialRepository implements ApiCredentialRepository {
  constructor(private readonly credentials: ApiCredentialModel) {}

  async create(input: NewApiCredential): Promise<ApiCredential> {
    const doc: ApiCredentialDoc = {
      _id: input.id ?? newId(),
      name: input.name,
      clientId: input.clientId,
      secretHash: input.secretHash,
      orgId: input.orgId,
      sandboxes: [...input.sandboxes],
      roles: [...input.roles],
      createdAt: new Date(),
    };
    try {
      await this.credentials.insertOne(doc);
    } catch (error) {
      // The unique indexes on `_id` and `clientId` decide, so two processes cannot both win.
      if (!isDuplicateKeyError(error)) throw error;
      throw new ConflictError('api-credential-exists', 'An API credential with this id or client id exists.');
    }
    return toApiCredential(doc);
  }

  async findByClientId(clientId: string): Promise<ApiCredential | null> {
    // `revokedAt: null` matches credentials never revoked (the field is absent).
    const doc = await this.credentials.findOne({ clientId, revokedAt: null }).lean<ApiCredentialDoc>().exec();
    return doc ? toApiCredential(doc) : null;
  }

  async findActive(id: string): Promise<ApiCredential | null> {
    const doc = await this.credentials.findOne({ _id: id, revokedAt: null }).lean<ApiCredentialDoc>().exec();
    return doc ? toApiCredential(doc) : null;
  }

  async list(page?: PageRequest): Promise<Page<ApiCredential>> {
    const limit = pageLimit(page);
    const after = cursorAfter(page, 'string');
    const docs = await this.credentials
      .find(after !== undefined ? { _id: { $gt: after } } : {})
      .sort({ _id: 1 })
      .limit(limit + 1)
      .lean<ApiCredentialDoc[]>()
      .exec();
    return toPage(docs, limit, (doc) => doc._id, toApiCredential);
  }

  async revoke(id: string): Promise<boolean> {
    const { modifiedCount } = await this.credentials
      .updateOne({ _id: id, revokedAt: null }, { $set: { revokedAt: new Date() } })
      .exec();
    return modifiedCount === 1;
  }
}
