import type { UpdateQuery } from 'mongoose';
import { identityKey, newId } from '@herald/contracts';
import type { Channel, Identity, Profile, ProfileInput, PushToken } from '@herald/contracts';
import { ConflictError } from '@herald/errors';
import type { FieldError } from '@herald/errors';
import { compileAudienceQuery } from '../audience-filter';
import type { Page, PageRequest, ProfileRepository } from '../ports';
import { isDuplicateKeyError } from './duplicate-key';
import { withdrawMarketingConsent } from './marketing-consent';
import type { ProfileDoc, ProfileModel } from './profile.model';
import {
  assertAttributeKeys,
  assertIdentities,
  distinctIdentities,
  holding,
  toProfile,
} from './profile-documents';
import { cursorAfter, pageLimit, toPage } from './paging';

/**
 * Attempts of an optimistic write that lost a race (E11000, or its profile deleted meanwhile);
 * each retry re-reads, so it either succeeds or finds the conflict to report.
 */
const MAX_ATTEMPTS = 3;

/** An audience query that runs longer is stopped by the server rather than holding a request. */
const AUDIENCE_QUERY_MAX_TIME_MS = 30_000;

export class MongoProfileRepository implements ProfileRepository {
  constructor(private readonly profiles: ProfileModel) {}

  async create(sandbox: string, input: ProfileInput): Promise<Profile> {
    assertIdentities(input.identities);
    assertAttributeKeys(input.attributes);
    try {
      return await this.insert(sandbox, input);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      throw await this.identityConflict(
        sandbox,
        input.identities,
        'An identity already belongs to a profile.',
      );
    }
  }

  async get(sandbox: string, id: string): Promise<Profile | null> {
    const doc = await this.profiles.findOne({ _id: id, sandbox }).lean<ProfileDoc>().exec();
    return doc ? toProfile(doc) : null;
  }

  async findByIdentity(sandbox: string, identity: Identity): Promise<Profile | null> {
    const doc = await this.profiles
      .findOne({ sandbox, ...holding(identity) })
      .lean<ProfileDoc>()
      .exec();
    return doc ? toProfile(doc) : null;
  }

  async findByIdentities(sandbox: string, identities: readonly Identity[]): Promise<Array<Profile | null>> {
    if (identities.length === 0) return [];
    const docs = await this.profiles
      .find({ sandbox, $or: identities.map(holding) })
      .lean<ProfileDoc[]>()
      .exec();
    const owners = new Map<string, Profile>();
    for (const profile of docs.map(toProfile)) {
      for (const identity of profile.identities) owners.set(identityKey(identity), profile);
    }
    return identities.map((identity) => owners.get(identityKey(identity)) ?? null);
  }

  /** One upsert per distinct identity, concurrently: MongoDB has no multi-document find-or-create. */
  async findOrCreateManyByIdentity(
    sandbox: string,
    identities: readonly Identity[],
  ): Promise<Array<{ profile: Profile; created: boolean }>> {
    const distinct = distinctIdentities(identities);
    const results = await Promise.all(
      distinct.map((identity) => this.findOrCreateByIdentity(sandbox, identity)),
    );
    const byKey = new Map(distinct.map((identity, index) => [identityKey(identity), results[index]!]));
    const reported = new Set<string>();
    return identities.map((identity) => {
      const key = identityKey(identity);
      const result = byKey.get(key)!;
      // Only the first mention of a created profile reports it as created.
      const created = result.created && !reported.has(key);
      reported.add(key);
      return { profile: result.profile, created };
    });
  }

  async findOrCreateByIdentity(
    sandbox: string,
    identity: Identity,
    defaults: Omit<ProfileInput, 'identities'> = {},
  ): Promise<{ profile: Profile; created: boolean }> {
    assertAttributeKeys(defaults.attributes);
    for (let attempt = 1; ; attempt += 1) {
      const candidate = this.newDoc(sandbox, { ...defaults, identities: [identity] });
      // The inserted document takes `sandbox` from the filter's equality; `identities` must be
      // in $setOnInsert, since an $elemMatch condition seeds nothing.
      const onInsert: Partial<ProfileDoc> = { ...candidate };
      delete onInsert.sandbox;
      try {
        const doc = await this.profiles
          .findOneAndUpdate(
            { sandbox, ...holding(identity) },
            { $setOnInsert: onInsert },
            { upsert: true, returnDocument: 'after', setDefaultsOnInsert: false },
          )
          .lean<ProfileDoc>()
          .exec();
        // Our fresh id in the answer means this call inserted it.
        if (doc) return { profile: toProfile(doc), created: doc._id === candidate._id };
      } catch (error) {
        // Two upserts that both found nothing both insert; the unique identity index refuses
        // the second, and the profile the first one made is the answer.
        if (!isDuplicateKeyError(error)) throw error;
      }
      const existing = await this.findByIdentity(sandbox, identity);
      if (existing) return { profile: existing, created: false };
      if (attempt >= MAX_ATTEMPTS) {
        throw new Error(`Could not find or create the profile of ${identityKey(identity)} in ${sandbox}.`);
      }
    }
  }

  async upsert(sandbox: string, input: ProfileInput): Promise<{ profile: Profile; created: boolean }> {
    assertIdentities(input.identities);
    assertAttributeKeys(input.attributes);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      try {
        const result = await this.tryUpsert(sandbox, input);
        if (result) return result;
      } catch (error) {
        // Another writer gave one of these identities to a profile between our read and write.
        if (!isDuplicateKeyError(error)) throw error;
      }
    }
    throw await this.identityConflict(
      sandbox,
      input.identities,
      'The identities kept moving between profiles while this change was applied; retry it.',
    );
  }

  /** Null when the profile to merge into was deleted meanwhile: the caller starts over. */
  private async tryUpsert(
    sandbox: string,
    input: ProfileInput,
  ): Promise<{ profile: Profile; created: boolean } | null> {
    const owners = await this.profiles
      .find({ sandbox, $or: input.identities.map(holding) })
      .lean<ProfileDoc[]>()
      .exec();
    const [owner, ...others] = owners;
    if (!owner) return { profile: await this.insert(sandbox, input), created: true };
    if (others.length > 0) {
      throw this.conflictWith(
        owners,
        input.identities,
        `The identities belong to ${owners.length} different profiles; profiles are never merged.`,
      );
    }

    const known = new Set(owner.identities.map(identityKey));
    const added = distinctIdentities(input.identities).filter(
      (identity) => !known.has(identityKey(identity)),
    );
    const set: Record<string, unknown> = { updatedAt: new Date() };
    for (const [key, value] of Object.entries(input.attributes ?? {})) set[`attributes.${key}`] = value;
    if (input.preferredLanguage !== undefined) set.preferredLanguage = input.preferredLanguage;
    if (input.timezone !== undefined) set.timezone = input.timezone;
    if (input.consents !== undefined) set.consents = input.consents;
    if (input.pushSubscriptions !== undefined) set.pushSubscriptions = input.pushSubscriptions;
    if (input.pushTokens !== undefined) set.pushTokens = input.pushTokens;
    const update: UpdateQuery<ProfileDoc> = { $set: set };
    if (added.length > 0) update.$addToSet = { identities: { $each: added } };

    const doc = await this.profiles
      .findOneAndUpdate({ _id: owner._id, sandbox }, update, { returnDocument: 'after' })
      .lean<ProfileDoc>()
      .exec();
    return doc ? { profile: toProfile(doc), created: false } : null;
  }

  async delete(sandbox: string, id: string): Promise<boolean> {
    const { deletedCount } = await this.profiles.deleteOne({ _id: id, sandbox }).exec();
    return deletedCount === 1;
  }

  async removePushSubscription(sandbox: string, profileId: string, endpoint: string): Promise<boolean> {
    // The endpoint in the filter leaves a profile without it (and its updatedAt) untouched.
    const { modifiedCount } = await this.profiles
      .updateOne(
        { _id: profileId, sandbox, 'pushSubscriptions.endpoint': endpoint },
        { $pull: { pushSubscriptions: { endpoint } }, $set: { updatedAt: new Date() } },
      )
      .exec();
    return modifiedCount === 1;
  }

  async removePushToken(sandbox: string, profileId: string, token: PushToken): Promise<boolean> {
    const { appId, platform } = token;
    const { modifiedCount } = await this.profiles
      .updateOne(
        { _id: profileId, sandbox, pushTokens: { $elemMatch: { appId, platform, token: token.token } } },
        { $pull: { pushTokens: { appId, platform, token: token.token } }, $set: { updatedAt: new Date() } },
      )
      .exec();
    return modifiedCount === 1;
  }

  async withdrawMarketingConsent(sandbox: string, profileId: string, channel: Channel): Promise<boolean> {
    return withdrawMarketingConsent(this.profiles, sandbox, profileId, channel);
  }

  async list(sandbox: string, page?: PageRequest): Promise<Page<Profile>> {
    const limit = pageLimit(page);
    const after = cursorAfter(page, 'string');
    const docs = await this.profiles
      .find({ sandbox, ...(after !== undefined ? { _id: { $gt: after } } : {}) })
      .sort({ _id: 1 })
      .limit(limit + 1)
      .lean<ProfileDoc[]>()
      .exec();
    return toPage(docs, limit, (doc) => doc._id, toProfile);
  }

  // Audience queries go to the driver's collection: mongoose would cast them against the
  // schema, and the stored documents are already the shape `audience-filter.ts` documents.
  async match(sandbox: string, query: Record<string, unknown>, page?: PageRequest): Promise<Page<Profile>> {
    const limit = pageLimit(page);
    const after = cursorAfter(page, 'string');
    const scope: Record<string, unknown> = {
      sandbox,
      ...(after !== undefined ? { _id: { $gt: after } } : {}),
    };
    const docs = await this.profiles.collection
      .find<ProfileDoc>(
        { $and: [scope, compileAudienceQuery(query)] },
        { sort: { _id: 1 }, limit: limit + 1, maxTimeMS: AUDIENCE_QUERY_MAX_TIME_MS },
      )
      .toArray();
    return toPage(docs, limit, (doc) => doc._id, toProfile);
  }

  async countMatching(sandbox: string, query: Record<string, unknown>): Promise<number> {
    return this.profiles.collection.countDocuments(
      { $and: [{ sandbox }, compileAudienceQuery(query)] },
      { maxTimeMS: AUDIENCE_QUERY_MAX_TIME_MS },
    );
  }

  private newDoc(sandbox: string, input: ProfileInput): ProfileDoc {
    const now = new Date();
    return {
      _id: newId(),
      sandbox,
      identities: distinctIdentities(input.identities),
      attributes: input.attributes ?? {},
      ...(input.preferredLanguage !== undefined ? { preferredLanguage: input.preferredLanguage } : {}),
      ...(input.timezone !== undefined ? { timezone: input.timezone } : {}),
      consents: input.consents ?? { marketing: {} },
      pushSubscriptions: input.pushSubscriptions ?? [],
      pushTokens: input.pushTokens ?? [],
      createdAt: now,
      updatedAt: now,
    };
  }

  private async insert(sandbox: string, input: ProfileInput): Promise<Profile> {
    const doc = this.newDoc(sandbox, input);
    await this.profiles.insertOne(doc);
    return toProfile(doc);
  }

  /** The conflict, naming each given identity that some profile already holds. */
  private async identityConflict(
    sandbox: string,
    identities: readonly Identity[],
    message: string,
  ): Promise<ConflictError> {
    const owners = await this.profiles
      .find({ sandbox, $or: identities.map(holding) })
      .lean<ProfileDoc[]>()
      .exec();
    return this.conflictWith(owners, identities, message);
  }

  private conflictWith(
    owners: readonly ProfileDoc[],
    identities: readonly Identity[],
    message: string,
  ): ConflictError {
    const ownerOf = new Map<string, string>();
    for (const owner of owners) {
      for (const identity of owner.identities) ownerOf.set(identityKey(identity), owner._id);
    }
    const errors: FieldError[] = [];
    identities.forEach((identity, index) => {
      const profileId = ownerOf.get(identityKey(identity));
      if (profileId === undefined) return;
      errors.push({
        path: `/identities/${index}`,
        code: 'identity-conflict',
        message: `Identity ${identityKey(identity)} belongs to profile ${profileId}.`,
      });
    });
    return new ConflictError('identity-conflict', message, errors);
  }
}
