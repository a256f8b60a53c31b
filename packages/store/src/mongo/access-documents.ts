import type { Model } from 'mongoose';
import { newId } from '@herald/contracts';
import type { ApiKey, Page, PageRequest } from '../ports';
import { toIso } from './dates';
import { cursorAfter, pageLimit, toPage } from './paging';

/**
 * API keys and API credentials are both access grants: a name, roles in sandboxes, a creation
 * and maybe a revocation time. Their documents share these fields, and their listing and
 * revocation, so both live here; each collection adds its own secret fields.
 */
export interface AccessDoc {
  _id: string;
  name: string;
  sandboxes: string[];
  roles: ApiKey['roles'];
  labels?: string[];
  createdAt: Date;
  revokedAt?: Date;
}

/** The entity fields of those shared fields (the same in `ApiKey` and `ApiCredential`). */
export type AccessFields = Pick<
  ApiKey,
  'id' | 'name' | 'sandboxes' | 'roles' | 'labels' | 'createdAt' | 'revokedAt'
>;

/** The shared fields of a new grant, created now; the id is the one given or a new UUIDv7. */
export function newAccessDoc(
  input: Omit<AccessFields, 'id' | 'createdAt' | 'revokedAt'> & { id?: string },
): AccessDoc {
  return {
    _id: input.id ?? newId(),
    name: input.name,
    sandboxes: [...input.sandboxes],
    roles: [...input.roles],
    ...(input.labels ? { labels: [...input.labels] } : {}),
    createdAt: new Date(),
  };
}

export function accessFieldsOf(doc: AccessDoc): AccessFields {
  return {
    id: doc._id,
    name: doc.name,
    sandboxes: [...doc.sandboxes],
    roles: [...doc.roles],
    ...(doc.labels != null ? { labels: [...doc.labels] } : {}),
    createdAt: toIso(doc.createdAt),
    ...(doc.revokedAt != null ? { revokedAt: toIso(doc.revokedAt) } : {}),
  };
}

/** Every grant in the collection, revoked ones included, in id order. */
export async function listAccessDocs<D extends AccessDoc, T>(
  model: Model<D>,
  page: PageRequest | undefined,
  map: (doc: D) => T,
): Promise<Page<T>> {
  const limit = pageLimit(page);
  const after = cursorAfter(page, 'string');
  const docs = await model
    .find(after !== undefined ? { _id: { $gt: after } } : {})
    .sort({ _id: 1 })
    .limit(limit + 1)
    .lean<D[]>()
    .exec();
  return toPage(docs, limit, (doc) => doc._id, map);
}

/** True when this call revoked the grant; false when it does not exist or was revoked already. */
export async function revokeAccessDoc<D extends AccessDoc>(model: Model<D>, id: string): Promise<boolean> {
  // `revokedAt: null` matches grants never revoked (the field is absent).
  const { modifiedCount } = await model
    .updateOne({ _id: id, revokedAt: null }, { $set: { revokedAt: new Date() } })
    .exec();
  return modifiedCount === 1;
}
