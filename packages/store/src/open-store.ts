import type { Store } from './ports';
import { openEmbeddedStore } from './embedded/embedded-store';
import { openMongoStore } from './mongo/mongo-store';

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
  return isMongoUrl(options.url)
    ? openMongoStore({ url: options.url, deliveryRetentionDays: options.deliveryRetentionDays })
    : openEmbeddedStore({ path: options.url, deliveryRetentionDays: options.deliveryRetentionDays });
}
