import { ConflictError } from '@herald/errors';
import type { Logger } from '@herald/logger';
import type { Store } from '@herald/store';
import { generateApiKey, hashApiKey } from './api-key-secret';

/** Fixed id of the generated first admin key: only one of several API processes can create it. */
const BOOTSTRAP_KEY_ID = 'bootstrap-admin';

export interface BootstrapResult {
  /** The generated key, to be shown once; undefined when none was generated. */
  generatedKey?: string;
}

/**
 * Makes sure an admin key exists. `HERALD_ADMIN_KEY` is stored (hashed) if it is not yet;
 * otherwise, on the very first start, a key is generated and returned to be printed once.
 */
export async function bootstrapAdminKey(
  store: Store,
  configuredKey: string | undefined,
  logger: Logger,
): Promise<BootstrapResult> {
  const allRoles = { sandboxes: ['*'], roles: ['admin', 'manage', 'execute'] as const };
  if (configuredKey) {
    const hash = hashApiKey(configuredKey);
    if (await store.apiKeys.findByHash(hash)) return {};
    try {
      await store.apiKeys.create({ name: 'HERALD_ADMIN_KEY', hash, ...allRoles, roles: [...allRoles.roles] });
      logger.info('admin key from HERALD_ADMIN_KEY stored (hashed)');
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
    return {};
  }
  const existing = await store.apiKeys.list({ limit: 1 });
  if (existing.items.length > 0) return {};
  const key = generateApiKey();
  try {
    await store.apiKeys.create({
      id: BOOTSTRAP_KEY_ID,
      name: 'generated admin key',
      hash: hashApiKey(key),
      ...allRoles,
      roles: [...allRoles.roles],
    });
  } catch (error) {
    // Another API process created it first and printed its own key; anything else is a failure.
    if ((await store.apiKeys.list({ limit: 1 })).items.length > 0) return {};
    throw error;
  }
  return { generatedKey: key };
}
