import type { Profile, ProfileInput } from '@herald/contracts';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from '@herald/errors';
import type { Page, ProfileRepository } from '@herald/store';
import { pageRequestOf } from '../http/page-query';
import { createAjv, toFieldErrors } from '../validation/ajv';
import { profileQuerySchema, type ProfileQuery } from './profile.schema';
import { ProfileValidator } from './profile-validator';

export interface ProfileServiceOptions {
  /** Accept push endpoints over http or on loopback/private hosts (development and tests). */
  allowPrivatePushEndpoints?: boolean;
}

export type BulkItemStatus = 'created' | 'updated' | 'conflict';

export interface BulkItemResult {
  index: number;
  status: BulkItemStatus;
  profileId?: string;
  error?: { code: string; message: string; errors: FieldError[] };
}

export interface BulkUpsertResult {
  results: BulkItemResult[];
  summary: Record<BulkItemStatus, number>;
}

/** Profiles of one sandbox: validated input in, repository calls out. */
export class ProfileService {
  private readonly validator: ProfileValidator;
  private readonly validateQuery = createAjv().compile<ProfileQuery>(profileQuerySchema);

  constructor(
    private readonly profiles: ProfileRepository,
    options: ProfileServiceOptions = {},
  ) {
    this.validator = new ProfileValidator({
      allowPrivatePushEndpoints: options.allowPrivatePushEndpoints ?? false,
    });
  }

  /** Throws ConflictError `identity-conflict` when an identity already belongs to a profile. */
  async create(sandbox: string, body: unknown): Promise<Profile> {
    return this.profiles.create(sandbox, this.validator.parse(body));
  }

  async get(sandbox: string, id: string): Promise<Profile> {
    const profile = await this.profiles.get(sandbox, id);
    if (!profile) throw new NotFoundError('profile-not-found', `profile ${id} does not exist`);
    return profile;
  }

  /** With `namespace` and `identity`: the profile holding that identity (0 or 1 item); else a page. */
  async find(sandbox: string, query: unknown): Promise<Page<Profile>> {
    if (!this.validateQuery(query)) {
      throw new ValidationError(
        'invalid-query',
        'The query is invalid.',
        toFieldErrors(this.validateQuery.errors),
      );
    }
    const { namespace, identity } = query;
    if ((namespace === undefined) !== (identity === undefined)) {
      const missing = namespace === undefined ? 'namespace' : 'identity';
      throw new ValidationError('invalid-query', 'namespace and identity go together.', [
        { path: `/${missing}`, code: 'required', message: 'namespace and identity are given together' },
      ]);
    }
    if (namespace !== undefined && identity !== undefined) {
      const profile = await this.profiles.findByIdentity(sandbox, { namespace, id: identity });
      return { items: profile ? [profile] : [], nextCursor: null };
    }
    return this.profiles.list(sandbox, pageRequestOf(query));
  }

  /** Creates or merges into the one profile holding the identities; never merges two profiles. */
  async upsert(sandbox: string, body: unknown): Promise<{ profile: Profile; created: boolean }> {
    return this.profiles.upsert(sandbox, this.validator.parse(body));
  }

  /**
   * Validates every profile first (all or nothing), then upserts them in order. An identity
   * conflict fails that item only; any other failure ends the call, leaving earlier items applied
   * (upserts are safe to send again).
   */
  async bulkUpsert(sandbox: string, body: unknown): Promise<BulkUpsertResult> {
    const inputs = this.validator.parseBulk(body);
    const results: BulkItemResult[] = [];
    const summary: Record<BulkItemStatus, number> = { created: 0, updated: 0, conflict: 0 };
    for (const [index, input] of inputs.entries()) {
      const result = await this.upsertItem(sandbox, index, input);
      summary[result.status] += 1;
      results.push(result);
    }
    return { results, summary };
  }

  async delete(sandbox: string, id: string): Promise<void> {
    if (!(await this.profiles.delete(sandbox, id))) {
      throw new NotFoundError('profile-not-found', `profile ${id} does not exist`);
    }
  }

  private async upsertItem(sandbox: string, index: number, input: ProfileInput): Promise<BulkItemResult> {
    try {
      const { profile, created } = await this.profiles.upsert(sandbox, input);
      return { index, status: created ? 'created' : 'updated', profileId: profile.id };
    } catch (error) {
      if (!(error instanceof ConflictError) || error.code !== 'identity-conflict') throw error;
      return {
        index,
        status: 'conflict',
        error: {
          code: error.code,
          message: error.message,
          errors: error.errors.map((e) => ({ ...e, path: `/profiles/${index}${e.path}` })),
        },
      };
    }
  }
}
