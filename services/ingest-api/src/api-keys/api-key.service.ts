import { ForbiddenError, NotFoundError, ValidationError } from '@herald/errors';
import type { ApiKey, ApiKeyRepository, Page } from '@herald/store';
import { generateApiKey, hashApiKey } from '../auth/api-key-secret';
import { coversSandboxes as covers } from '../auth/sandbox-scope';
import { pageRequestOf, type PageQuery } from '../http/page-query';
import { createAjv, toFieldErrors } from '../validation/ajv';
import { apiKeyListQuerySchema, newApiKeySchema, type NewApiKeyBody } from './api-key.schema';

/** What a listing shows of a key: never its hash. */
export type ApiKeyView = Omit<ApiKey, 'hash'>;

/** A new key's view and, this once, the key itself. */
export type CreatedApiKey = ApiKeyView & { key: string };

/** Whoever caches keys by hash, so that a revoked key stops working at once in this process. */
export interface KeyCache {
  forget(): void;
}

/**
 * API key management. Admin keys are scoped like the others: a key bound to some sandboxes sees,
 * creates and revokes only keys within them; `*` covers everything. `holder` is the sandboxes of
 * the admin key making the call.
 */
export class ApiKeyService {
  private readonly ajv = createAjv();
  private readonly validateNewKey = this.ajv.compile<NewApiKeyBody>(newApiKeySchema);
  private readonly validateListQuery = this.ajv.compile<PageQuery>(apiKeyListQuerySchema);

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly cache: KeyCache,
  ) {}

  /** Throws ValidationError `invalid-api-key`, or ForbiddenError for sandboxes `holder` does not cover. */
  async create(holder: readonly string[], body: unknown): Promise<CreatedApiKey> {
    if (!this.validateNewKey(body)) {
      throw new ValidationError(
        'invalid-api-key',
        'The API key definition is invalid.',
        toFieldErrors(this.validateNewKey.errors),
      );
    }
    if (!covers(holder, body.sandboxes)) {
      throw new ForbiddenError('An admin key can only create keys for sandboxes it covers itself.');
    }
    const key = generateApiKey();
    const stored = await this.keys.create({ ...body, hash: hashApiKey(key) });
    return { ...publicView(stored), key };
  }

  /** The page's keys that `holder` covers. */
  async list(holder: readonly string[], query: unknown): Promise<Page<ApiKeyView>> {
    if (!this.validateListQuery(query)) {
      throw new ValidationError(
        'invalid-query',
        'The query string is invalid.',
        toFieldErrors(this.validateListQuery.errors),
      );
    }
    const page = await this.keys.list(pageRequestOf(query));
    const visible = page.items.filter((item) => covers(holder, item.sandboxes));
    return { items: visible.map(publicView), nextCursor: page.nextCursor };
  }

  /** Throws NotFoundError `api-key-not-found` for a key that is unknown, revoked or not covered. */
  async revoke(holder: readonly string[], id: string): Promise<void> {
    const target = holder.includes('*') ? undefined : await this.find(id);
    if (target && !covers(holder, target.sandboxes)) {
      throw new NotFoundError('api-key-not-found', `no active API key ${id}`);
    }
    if (!(await this.keys.revoke(id))) {
      throw new NotFoundError('api-key-not-found', `no active API key ${id}`);
    }
    this.cache.forget();
  }

  private async find(id: string): Promise<ApiKey | undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.keys.list({ limit: 500, ...(cursor ? { cursor } : {}) });
      const found = page.items.find((item) => item.id === id);
      if (found) return found;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return undefined;
  }
}

function publicView(key: ApiKey): ApiKeyView {
  const { hash: _hash, ...rest } = key;
  return rest;
}
