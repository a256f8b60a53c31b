import type { Store } from './ports';
import { openEmbeddedStore } from './embedded/embedded-store';
import type * as MongoStoreModule from './mongo/mongo-store';

export interface StoreOptions {
  /** `mongodb://…` or `mongodb+srv://…` picks MongoDB; a file path picks the embedded store. */
  url: string;
  /** Delivery records older than this are removed (MongoDB TTL index; embedded: pruned on open). */
  deliveryRetentionDays?: number;
}

export function isMongoUrl(url: string): boolean {
  return url.startsWith('mongodb://') || url.startsWith('mongodb+srv://');
}

export async function openStore(options: StoreOptions): Promise<Store> {
  if (!isMongoUrl(options.url)) {
    return openEmbeddedStore({ path: options.url, deliveryRetentionDays: options.deliveryRetentionDays });
  }
  // Loaded only for MongoDB: mongoose is a third of a process's heap on the embedded store (10 of
  // the tracker's 22 MB), which every full garbage collection would otherwise mark.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, see above
  const { openMongoStore } = require('./mongo/mongo-store') as typeof MongoStoreModule;
  return openMongoStore({ url: options.url, deliveryRetentionDays: options.deliveryRetentionDays });
}
