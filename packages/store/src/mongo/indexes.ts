import type { Connection } from 'mongoose';
import { DELIVERY_TTL_INDEX } from './delivery.model';

/** What index creation needs of a model, whatever its document type. */
export interface IndexedModel {
  readonly collection: { readonly collectionName: string };
  createIndexes(): Promise<void>;
  listIndexes(): Promise<unknown[]>;
}

/** MongoDB's answer when listing the indexes of a collection that does not exist yet. */
const NAMESPACE_NOT_FOUND = 26;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function existingIndexes(model: IndexedModel): Promise<unknown[]> {
  try {
    return await model.listIndexes();
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
    if (code === NAMESPACE_NOT_FOUND) return [];
    throw error;
  }
}

function expiryOf(index: unknown): unknown {
  if (typeof index !== 'object' || index === null) return undefined;
  if (!('name' in index) || index.name !== DELIVERY_TTL_INDEX) return undefined;
  return 'expireAfterSeconds' in index ? index.expireAfterSeconds : undefined;
}

/**
 * createIndex refuses an index that exists under the same name with other options, so a changed
 * retention is applied in place with collMod instead of dropping the index (which would leave
 * the records unexpired, and a second process mid-open without its index).
 */
async function alignTtl(connection: Connection, model: IndexedModel, seconds: number): Promise<void> {
  const current = (await existingIndexes(model)).map(expiryOf).find((expiry) => expiry !== undefined);
  if (current === undefined || current === seconds) return;
  const { db } = connection;
  if (!db) throw new Error('The MongoDB connection is closed.');
  await db.command({
    collMod: model.collection.collectionName,
    index: { name: DELIVERY_TTL_INDEX, expireAfterSeconds: seconds },
  });
}

/**
 * Creates the indexes the schemas declare, and waits for them. createIndexes rather than
 * syncIndexes: it never drops an index, so processes of two releases (or an operator's own
 * index) can coexist, and several processes opening at once all succeed.
 */
export async function createIndexes(
  connection: Connection,
  models: readonly IndexedModel[],
  ttl: { model: IndexedModel; seconds: number },
): Promise<void> {
  await alignTtl(connection, ttl.model, ttl.seconds);
  await Promise.all(
    models.map(async (model) => {
      try {
        await model.createIndexes();
      } catch (error) {
        throw new Error(
          `Could not create the indexes of the ${model.collection.collectionName} collection: ${messageOf(error)}`,
          { cause: error },
        );
      }
    }),
  );
}
