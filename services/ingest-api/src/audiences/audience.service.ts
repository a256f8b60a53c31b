import type { Identity, Profile } from '@herald/contracts';
import { canonicalIdentity, identityKey } from '@herald/contracts';
import { NotFoundError, ValidationError } from '@herald/errors';
import { compileAudienceQuery, type Audience, type NewAudience, type Page, type Store } from '@herald/store';
import { pageRequestOf } from '../http/page-query';
import { createAjv, toFieldErrors } from '../validation/ajv';
import {
  audienceInputSchemas,
  audienceListQuerySchema,
  audienceSampleQuerySchema,
  DEFAULT_SAMPLE,
  type AudienceKind,
  type AudienceListQuery,
  type AudienceSampleQuery,
  type QueryAudienceInput,
  type StaticAudienceInput,
} from './audience.schema';

/** Identities of a static audience looked up at once: enough to overlap round trips to MongoDB. */
const LOOKUP_BATCH = 50;

function isAudienceKind(value: unknown): value is AudienceKind {
  return value === 'query' || value === 'static';
}

/** Namespaces lower-cased, as profiles store them. */
function distinctIdentities(identities: readonly Identity[]): Identity[] {
  const seen = new Map<string, Identity>();
  for (const identity of identities) {
    if (!seen.has(identityKey(identity))) seen.set(identityKey(identity), canonicalIdentity(identity));
  }
  return [...seen.values()];
}

/** Audiences of one sandbox: validated definitions in, members counted and sampled out. */
export class AudienceService {
  private readonly ajv = createAjv();
  private readonly validateQueryInput = this.ajv.compile<QueryAudienceInput>(audienceInputSchemas.query);
  private readonly validateStaticInput = this.ajv.compile<StaticAudienceInput>(audienceInputSchemas.static);
  private readonly validateListQuery = this.ajv.compile<AudienceListQuery>(audienceListQuerySchema);
  private readonly validateSampleQuery = this.ajv.compile<AudienceSampleQuery>(audienceSampleQuerySchema);

  constructor(private readonly store: Store) {}

  /** Throws ValidationError `invalid-audience` (shape) or `invalid-audience-query` (the query). */
  async create(sandbox: string, body: unknown): Promise<Audience> {
    return this.store.audiences.create({ sandbox, ...this.parse(body) });
  }

  async get(sandbox: string, id: string): Promise<Audience> {
    const audience = await this.store.audiences.get(sandbox, id);
    if (!audience) throw new NotFoundError('audience-not-found', `audience ${id} does not exist`);
    return audience;
  }

  async list(sandbox: string, query: unknown): Promise<Page<Audience>> {
    if (!this.validateListQuery(query)) {
      throw new ValidationError(
        'invalid-query',
        'The query is invalid.',
        toFieldErrors(this.validateListQuery.errors),
      );
    }
    return this.store.audiences.list(sandbox, pageRequestOf(query));
  }

  async delete(sandbox: string, id: string): Promise<void> {
    if (!(await this.store.audiences.delete(sandbox, id))) {
      throw new NotFoundError('audience-not-found', `audience ${id} does not exist`);
    }
  }

  /** Profiles in the audience; for a static one, the distinct profiles its identities resolve to. */
  async count(sandbox: string, id: string): Promise<{ count: number }> {
    const audience = await this.get(sandbox, id);
    if (audience.kind === 'query') {
      return { count: await this.store.profiles.countMatching(sandbox, audience.query ?? {}) };
    }
    const members = new Set<string>();
    for await (const member of this.staticMembers(sandbox, audience.identities ?? [])) members.add(member.id);
    return { count: members.size };
  }

  /** The first members in id order (query) or in listed order (static). */
  async sample(sandbox: string, id: string, query: unknown): Promise<{ items: Profile[] }> {
    if (!this.validateSampleQuery(query)) {
      throw new ValidationError(
        'invalid-query',
        'The query is invalid.',
        toFieldErrors(this.validateSampleQuery.errors),
      );
    }
    const limit = query.limit === undefined ? DEFAULT_SAMPLE : Number(query.limit);
    const audience = await this.get(sandbox, id);
    if (audience.kind === 'query') {
      const page = await this.store.profiles.match(sandbox, audience.query ?? {}, { limit });
      return { items: page.items };
    }
    const items: Profile[] = [];
    for await (const member of this.staticMembers(sandbox, audience.identities ?? [])) {
      items.push(member);
      if (items.length === limit) break;
    }
    return { items };
  }

  private parse(body: unknown): Omit<NewAudience, 'sandbox'> {
    const kind: unknown =
      typeof body === 'object' && body !== null ? (body as { kind?: unknown }).kind : undefined;
    if (!isAudienceKind(kind)) {
      throw new ValidationError('invalid-audience', 'The audience is invalid.', [
        { path: '/kind', code: 'enum', message: 'must be "query" or "static"' },
      ]);
    }
    if (kind === 'query') {
      if (!this.validateQueryInput(body)) throw this.invalid(this.validateQueryInput.errors);
      compileAudienceQuery(body.query, '/query');
      return body;
    }
    if (!this.validateStaticInput(body)) throw this.invalid(this.validateStaticInput.errors);
    return { ...body, identities: distinctIdentities(body.identities) };
  }

  private invalid(errors: Parameters<typeof toFieldErrors>[0]): ValidationError {
    return new ValidationError('invalid-audience', 'The audience is invalid.', toFieldErrors(errors));
  }

  /** Each profile the identities resolve to, once, in the order of its first identity. */
  private async *staticMembers(sandbox: string, identities: readonly Identity[]): AsyncGenerator<Profile> {
    const seen = new Set<string>();
    for (let start = 0; start < identities.length; start += LOOKUP_BATCH) {
      const batch = identities.slice(start, start + LOOKUP_BATCH);
      const profiles = await Promise.all(
        batch.map((identity) => this.store.profiles.findByIdentity(sandbox, identity)),
      );
      for (const profile of profiles) {
        if (!profile || seen.has(profile.id)) continue;
        seen.add(profile.id);
        yield profile;
      }
    }
  }
}
