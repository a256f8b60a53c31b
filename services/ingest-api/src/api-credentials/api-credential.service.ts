import { ForbiddenError, NotFoundError, ValidationError } from '@herald/errors';
import type { ApiCredential, ApiCredentialRepository, Page } from '@herald/store';
import { apiKeyListQuerySchema, newApiKeySchema, type NewApiKeyBody } from '../api-keys/api-key.schema';
import type { KeyCache } from '../api-keys/api-key.service';
import { generateClientId, generateClientSecret, hashApiKey } from '../auth/api-key-secret';
import { coversSandboxes } from '../auth/sandbox-scope';
import { pageRequestOf, type PageQuery } from '../http/page-query';
import { createAjv, toFieldErrors } from '../validation/ajv';

/** What a listing shows of a credential: never its secret's hash. */
export type ApiCredentialView = Omit<ApiCredential, 'secretHash'>;

/** A new credential's view and, this once, its client secret. */
export type CreatedApiCredential = ApiCredentialView & { clientSecret: string };

/**
 * API credential management: OAuth client-credentials pairs for `POST /ims/token/v3`, scoped like
 * API keys (a credential is defined by the same `{name, roles, sandboxes}`, and an admin key bound
 * to some sandboxes sees, creates and revokes only credentials within them). `holder` is the
 * sandboxes of the admin key making the call.
 */
export class ApiCredentialService {
  private readonly ajv = createAjv();
  private readonly validateNew = this.ajv.compile<NewApiKeyBody>(newApiKeySchema);
  private readonly validateListQuery = this.ajv.compile<PageQuery>(apiKeyListQuerySchema);

  constructor(
    private readonly credentials: ApiCredentialRepository,
    private readonly cache: KeyCache,
    /** The organisation new credentials belong to (HERALD_ORG_ID). */
    private readonly orgId: string,
  ) {}

  /** Throws ValidationError `invalid-api-credential`, or ForbiddenError for sandboxes `holder` does not cover. */
  async create(holder: readonly string[], body: unknown): Promise<CreatedApiCredential> {
    if (!this.validateNew(body)) {
      throw new ValidationError(
        'invalid-api-credential',
        'The API credential definition is invalid.',
        toFieldErrors(this.validateNew.errors),
      );
    }
    if (!coversSandboxes(holder, body.sandboxes)) {
      throw new ForbiddenError('An admin key can only create credentials for sandboxes it covers itself.');
    }
    const clientSecret = generateClientSecret();
    const stored = await this.credentials.create({
      ...body,
      clientId: generateClientId(),
      secretHash: hashApiKey(clientSecret),
      orgId: this.orgId,
    });
    return { ...publicView(stored), clientSecret };
  }

  /** The page's credentials that `holder` covers, revoked ones included. */
  async list(holder: readonly string[], query: unknown): Promise<Page<ApiCredentialView>> {
    if (!this.validateListQuery(query)) {
      throw new ValidationError(
        'invalid-query',
        'The query string is invalid.',
        toFieldErrors(this.validateListQuery.errors),
      );
    }
    const page = await this.credentials.list(pageRequestOf(query));
    const visible = page.items.filter((item) => coversSandboxes(holder, item.sandboxes));
    return { items: visible.map(publicView), nextCursor: page.nextCursor };
  }

  /**
   * Revokes the credential: its secret gets no more tokens at once, and the tokens already out
   * are refused within API_KEY_CACHE_SECONDS (at once by this process). Throws NotFoundError
   * `api-credential-not-found` for one that is unknown, revoked or not covered.
   */
  async revoke(holder: readonly string[], id: string): Promise<void> {
    const notFound = new NotFoundError('api-credential-not-found', `no active API credential ${id}`);
    if (!holder.includes('*')) {
      const target = await this.credentials.findActive(id);
      if (!target || !coversSandboxes(holder, target.sandboxes)) throw notFound;
    }
    if (!(await this.credentials.revoke(id))) throw notFound;
    this.cache.forget();
  }
}

function publicView(credential: ApiCredential): ApiCredentialView {
  const { secretHash: _secretHash, ...rest } = credential;
  return rest;
}
