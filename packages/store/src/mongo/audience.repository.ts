import { newId } from '@herald/contracts';
import { ConflictError } from '@herald/errors';
import type { Audience, AudienceRepository, NewAudience, Page, PageRequest } from '../ports';
import type { AudienceDoc, AudienceModel } from './audience.model';
import { toIso } from './dates';
import { isDuplicateKeyError } from './duplicate-key';
import { toIdentity } from './identity.schema';
import { cursorAfter, pageLimit, toPage } from './paging';

export function toAudience(doc: AudienceDoc): Audience {
  return {
    id: doc.id,
    sandbox: doc.sandbox,
    name: doc.name,
    ...(doc.description != null ? { description: doc.description } : {}),
    kind: doc.kind,
    ...(doc.query != null ? { query: JSON.parse(doc.query) as Record<string, unknown> } : {}),
    ...(doc.identities != null ? { identities: doc.identities.map(toIdentity) } : {}),
    createdAt: toIso(doc.createdAt),
    updatedAt: toIso(doc.updatedAt),
  };
}

export class MongoAudienceRepository implements AudienceRepository {
  constructor(private readonly audiences: AudienceModel) {}

  async create(input: NewAudience): Promise<Audience> {
    const now = new Date();
    const doc: AudienceDoc = {
      id: input.id ?? newId(),
      sandbox: input.sandbox,
      name: input.name,
      ...(input.description !== undefined ? { description: input.description } : {}),
      kind: input.kind,
      ...(input.query !== undefined ? { query: JSON.stringify(input.query) } : {}),
      ...(input.identities !== undefined ? { identities: input.identities.map(toIdentity) } : {}),
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.audiences.insertOne(doc);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      throw new ConflictError('audience-exists', `Audience ${doc.id} already exists.`);
    }
    return toAudience(doc);
  }

  async get(sandbox: string, id: string): Promise<Audience | null> {
    const doc = await this.audiences.findOne({ sandbox, id }).lean<AudienceDoc>().exec();
    return doc ? toAudience(doc) : null;
  }

  async delete(sandbox: string, id: string): Promise<boolean> {
    const { deletedCount } = await this.audiences.deleteOne({ sandbox, id }).exec();
    return deletedCount === 1;
  }

  async list(sandbox: string, page?: PageRequest): Promise<Page<Audience>> {
    const limit = pageLimit(page);
    const after = cursorAfter(page, 'string');
    const docs = await this.audiences
      .find({ sandbox, ...(after !== undefined ? { id: { $gt: after } } : {}) })
      .sort({ id: 1 })
      .limit(limit + 1)
      .lean<AudienceDoc[]>()
      .exec();
    return toPage(docs, limit, (doc) => doc.id, toAudience);
  }
}
