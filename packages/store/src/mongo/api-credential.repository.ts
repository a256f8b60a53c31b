import { ConflictError } from '@herald/errors';
import type { ApiCredential, ApiCredentialRepository, NewApiCredential, Page, PageRequest } from '../ports';
import { accessFieldsOf, listAccessDocs, newAccessDoc, revokeAccessDoc } from './access-documents';
import type { ApiCredentialDoc, ApiCredentialModel } from './api-credential.model';
import { isDuplicateKeyError } from './duplicate-key';

function toApiCredential(doc: ApiCredentialDoc): ApiCredential {
  return { ...accessFieldsOf(doc), clientId: doc.clientId, secretHash: doc.secretHash, orgId: doc.orgId };
}

export class MongoApiCredentialRepository implements ApiCredentialRepository {
  constructor(private readonly credentials: ApiCredentialModel) {}

  async create(input: NewApiCredential): Promise<ApiCredential> {
    const doc: ApiCredentialDoc = {
      ...newAccessDoc(input),
      clientId: input.clientId,
      secretHash: input.secretHash,
      orgId: input.orgId,
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
    return listAccessDocs(this.credentials, page, toApiCredential);
  }

  async revoke(id: string): Promise<boolean> {
    return revokeAccessDoc(this.credentials, id);
  }
}
