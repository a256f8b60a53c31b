import type { Channel, Identity, Profile, ProfileInput, PushToken } from '@herald/contracts';
import { canonicalIdentity, canonicalNamespace, identityKey, newId } from '@herald/contracts';
import type { Page, PageRequest, ProfileRepository } from '../ports';
import { audienceMatcher } from './audience-matcher';
import { marketingConsentWithdrawer } from './marketing-consent';
import { isUniqueViolation, type Db } from './database';
import { toJson } from './columns';
import {
  distinct,
  identityConflict,
  SELECT_PROFILE,
  toProfile,
  type GivenIdentity,
  type KnownIdentity,
  type ProfileColumns,
  type ProfileRow,
} from './profile-rows';
import { pageQuery, toPage } from './paging';
import { pushSubscriptionRemover, pushTokenRemover } from './push-subscriptions';
import { now } from './time';

/** Profiles read per step of an audience scan, so memory stays bounded whatever the sandbox holds. */
const SCAN_BATCH = 500;

export class EmbeddedProfileRepository implements ProfileRepository {
  private readonly selectById;
  private readonly selectByIdentity;
  private readonly selectByIdentities;
  private readonly selectOwner;
  private readonly selectPage;
  private readonly selectNextPosition;
  private readonly insertProfile;
  private readonly insertIdentity;
  private readonly updateProfile;
  private readonly deleteProfile;
  private readonly deletePushSubscription;
  private readonly deletePushToken;
  private readonly withdrawConsent;

  constructor(private readonly db: Db) {
    this.selectById = db.prepare<[string, string], ProfileRow>(
      `${SELECT_PROFILE} WHERE p.sandbox = ? AND p.id = ?`,
    );
    this.selectByIdentity = db.prepare<[string, string, string], ProfileRow>(
      `${SELECT_PROFILE}
       JOIN profile_identities k ON k.sandbox = p.sandbox AND k.profile_id = p.id
       WHERE k.sandbox = ? AND k.namespace = ? AND k.identity_id = ?`,
    );
    // Every profile holding one of the identities given as a JSON array, in one statement.
    this.selectByIdentities = db.prepare<[string, string, string], ProfileRow>(
      `${SELECT_PROFILE}
       WHERE p.sandbox = ? AND p.id IN (
         SELECT k.profile_id FROM json_each(?) w
         JOIN profile_identities k
           ON k.namespace = json_extract(w.value, '$.namespace') AND k.identity_id = json_extract(w.value, '$.id')
         WHERE k.sandbox = ?)`,
    );
    this.selectOwner = db
      .prepare<[string, string, string], string>(
        `SELECT profile_id FROM profile_identities WHERE sandbox = ? AND namespace = ? AND identity_id = ?`,
      )
      .pluck();
    this.selectPage = db.prepare<[string, string, number], ProfileRow>(
      `${SELECT_PROFILE} WHERE p.sandbox = ? AND p.id > ? ORDER BY p.id LIMIT ?`,
    );
    this.selectNextPosition = db
      .prepare<[string, string], number>(
        `SELECT coalesce(max(position) + 1, 0) FROM profile_identities WHERE sandbox = ? AND profile_id = ?`,
      )
      .pluck();
    this.insertProfile = db.prepare<ProfileColumns>(
      `INSERT INTO profiles
         (sandbox, id, attributes, preferred_language, timezone, consents, push_subscriptions, push_tokens, created_at, updated_at)
       VALUES (@sandbox, @id, @attributes, @preferredLanguage, @timezone, @consents, @pushSubscriptions, @pushTokens, @at, @at)`,
    );
    this.insertIdentity = db.prepare<[string, string, string, string, number]>(
      `INSERT INTO profile_identities (sandbox, namespace, identity_id, profile_id, position) VALUES (?, ?, ?, ?, ?)`,
    );
    this.updateProfile = db.prepare<ProfileColumns>(
      `UPDATE profiles
       SET attributes = @attributes, preferred_language = @preferredLanguage, timezone = @timezone,
           consents = @consents, push_subscriptions = @pushSubscriptions, push_tokens = @pushTokens,
           updated_at = @at
       WHERE sandbox = @sandbox AND id = @id`,
    );
    this.deleteProfile = db.prepare<[string, string]>(`DELETE FROM profiles WHERE sandbox = ? AND id = ?`);
    this.deletePushSubscription = pushSubscriptionRemover(db);
    this.deletePushToken = pushTokenRemover(db);
    this.withdrawConsent = marketingConsentWithdrawer(db);
  }

  async create(sandbox: string, input: ProfileInput): Promise<Profile> {
    return this.writeRetryingOnRace(() => {
      const known = this.known(sandbox, distinct(input.identities));
      if (known.length > 0) {
        throw identityConflict('Some identities already belong to another profile.', known);
      }
      return this.insertNew(sandbox, input);
    });
  }

  async get(sandbox: string, id: string): Promise<Profile | null> {
    const row = this.selectById.get(sandbox, id);
    return row ? toProfile(row) : null;
  }

  async findByIdentity(sandbox: string, identity: Identity): Promise<Profile | null> {
    const row = this.rowOf(sandbox, identity);
    return row ? toProfile(row) : null;
  }

  async findByIdentities(sandbox: string, identities: readonly Identity[]): Promise<Array<Profile | null>> {
    if (identities.length === 0) return [];
    const wanted = identities.map(canonicalIdentity);
    const rows = this.selectByIdentities.all(sandbox, JSON.stringify(wanted), sandbox);
    const owners = new Map<string, Profile>();
    for (const profile of rows.map(toProfile)) {
      for (const identity of profile.identities) owners.set(identityKey(identity), profile);
    }
    return wanted.map((identity) => owners.get(identityKey(identity)) ?? null);
  }

  async findOrCreateByIdentity(
    sandbox: string,
    identity: Identity,
    defaults?: Omit<ProfileInput, 'identities'>,
  ): Promise<{ profile: Profile; created: boolean }> {
    // Most calls find an existing profile: answer those without taking the write lock.
    const existing = await this.findByIdentity(sandbox, identity);
    if (existing) return { profile: existing, created: false };
    return this.writeRetryingOnRace(() => {
      const row = this.rowOf(sandbox, identity);
      if (row) return { profile: toProfile(row), created: false };
      return { profile: this.insertNew(sandbox, { ...defaults, identities: [identity] }), created: true };
    });
  }

  async findOrCreateManyByIdentity(
    sandbox: string,
    identities: readonly Identity[],
  ): Promise<Array<{ profile: Profile; created: boolean }>> {
    // Reads first, without the write lock; then one transaction creates every missing profile.
    const found = identities.map((identity) => this.rowOf(sandbox, identity));
    if (found.every((row) => row !== undefined)) {
      return found.map((row) => ({ profile: toProfile(row as ProfileRow), created: false }));
    }
    return this.writeRetryingOnRace(() => {
      const created = new Map<string, Profile>();
      return identities.map((identity, index) => {
        const before = found[index];
        if (before) return { profile: toProfile(before), created: false };
        const key = identityKey(identity);
        const mine = created.get(key);
        if (mine) return { profile: mine, created: false };
        // Read again under the write lock: another process may have created it since.
        const row = this.rowOf(sandbox, identity);
        if (row) return { profile: toProfile(row), created: false };
        const profile = this.insertNew(sandbox, { identities: [identity] });
        created.set(key, profile);
        return { profile, created: true };
      });
    });
  }

  async upsert(sandbox: string, input: ProfileInput): Promise<{ profile: Profile; created: boolean }> {
    return this.writeRetryingOnRace(() => {
      const given = distinct(input.identities);
      const known = this.known(sandbox, given);
      const owners = new Set(known.map((k) => k.profileId));
      const [ownerId, ...others] = owners;
      if (ownerId === undefined) return { profile: this.insertNew(sandbox, input), created: true };
      if (others.length > 0) {
        throw identityConflict(
          `The identities belong to ${owners.size} different profiles; profiles are never merged implicitly.`,
          known,
        );
      }
      const knownKeys = new Set(known.map((k) => identityKey(k.identity)));
      const added = given.filter((g) => !knownKeys.has(identityKey(g.identity))).map((g) => g.identity);
      return { profile: this.mergeInto(sandbox, ownerId, input, added), created: false };
    });
  }

  async delete(sandbox: string, id: string): Promise<boolean> {
    return this.deleteProfile.run(sandbox, id).changes > 0;
  }

  async removePushSubscription(sandbox: string, profileId: string, endpoint: string): Promise<boolean> {
    return this.deletePushSubscription(sandbox, profileId, endpoint);
  }

  async removePushToken(sandbox: string, profileId: string, token: PushToken): Promise<boolean> {
    return this.deletePushToken(sandbox, profileId, token);
  }

  async withdrawMarketingConsent(sandbox: string, profileId: string, channel: Channel): Promise<boolean> {
    return this.withdrawConsent(sandbox, profileId, channel);
  }

  async list(sandbox: string, page?: PageRequest): Promise<Page<Profile>> {
    const query = pageQuery<[string]>(page, ['']);
    const [afterId] = query.after;
    const rows = this.selectPage.all(sandbox, afterId, query.fetch);
    return toPage(rows, query, toProfile, (row) => [row.id]);
  }

  async match(sandbox: string, query: Record<string, unknown>, page?: PageRequest): Promise<Page<Profile>> {
    const matches = audienceMatcher(query);
    const paging = pageQuery<[string]>(page, ['']);
    const found: Profile[] = [];
    for (const profile of this.scan(sandbox, paging.after[0])) {
      if (!matches(profile)) continue;
      found.push(profile);
      if (found.length === paging.fetch) break;
    }
    return toPage(
      found,
      paging,
      (profile) => profile,
      (profile) => [profile.id],
    );
  }

  async countMatching(sandbox: string, query: Record<string, unknown>): Promise<number> {
    const matches = audienceMatcher(query);
    let count = 0;
    for (const profile of this.scan(sandbox, '')) if (matches(profile)) count += 1;
    return count;
  }

  /** The sandbox's profiles with ids after `afterId`, in id order, read `SCAN_BATCH` at a time. */
  private *scan(sandbox: string, afterId: string): Generator<Profile> {
    let after = afterId;
    for (;;) {
      const rows = this.selectPage.all(sandbox, after, SCAN_BATCH);
      for (const row of rows) yield toProfile(row);
      const last = rows[rows.length - 1];
      if (last === undefined || rows.length < SCAN_BATCH) return;
      after = last.id;
    }
  }

  /**
   * Runs `write` under BEGIN IMMEDIATE, so no other process can write between its reads and its
   * inserts. Should a writer that skips the lock still win a race, the unique key on identities
   * refuses the second insert: `write` then runs once more and re-reads what the winner wrote.
   */
  private writeRetryingOnRace<T>(write: () => T): T {
    const transaction = this.db.transaction(write);
    try {
      return transaction.immediate();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return transaction.immediate();
    }
  }

  private rowOf(sandbox: string, identity: Identity): ProfileRow | undefined {
    return this.selectByIdentity.get(sandbox, canonicalNamespace(identity.namespace), identity.id);
  }

  private known(sandbox: string, given: readonly GivenIdentity[]): KnownIdentity[] {
    const known: KnownIdentity[] = [];
    for (const g of given) {
      const profileId = this.selectOwner.get(sandbox, g.identity.namespace, g.identity.id);
      if (profileId !== undefined) known.push({ ...g, profileId });
    }
    return known;
  }

  private insertNew(sandbox: string, input: ProfileInput): Profile {
    const id = newId();
    this.insertProfile.run({
      sandbox,
      id,
      attributes: toJson(input.attributes ?? {}),
      preferredLanguage: input.preferredLanguage ?? null,
      timezone: input.timezone ?? null,
      consents: toJson(input.consents ?? { marketing: {} }),
      pushSubscriptions: toJson(input.pushSubscriptions ?? []),
      pushTokens: toJson(input.pushTokens ?? []),
      at: now(),
    });
    this.addIdentities(
      sandbox,
      id,
      distinct(input.identities).map((g) => g.identity),
    );
    return this.mustGet(sandbox, id);
  }

  private mergeInto(sandbox: string, id: string, input: ProfileInput, added: readonly Identity[]): Profile {
    const current = this.mustGet(sandbox, id);
    this.updateProfile.run({
      sandbox,
      id,
      // Top-level keys only: a given key replaces the stored value whole, nested objects included.
      attributes: toJson({ ...current.attributes, ...input.attributes }),
      preferredLanguage: input.preferredLanguage ?? current.preferredLanguage ?? null,
      timezone: input.timezone ?? current.timezone ?? null,
      consents: toJson(input.consents ?? current.consents),
      pushSubscriptions: toJson(input.pushSubscriptions ?? current.pushSubscriptions),
      pushTokens: toJson(input.pushTokens ?? current.pushTokens),
      at: now(),
    });
    this.addIdentities(sandbox, id, added);
    return this.mustGet(sandbox, id);
  }

  private addIdentities(sandbox: string, profileId: string, identities: readonly Identity[]): void {
    let position = this.selectNextPosition.get(sandbox, profileId) ?? 0;
    for (const identity of identities) {
      this.insertIdentity.run(sandbox, identity.namespace, identity.id, profileId, position);
      position += 1;
    }
  }

  private mustGet(sandbox: string, id: string): Profile {
    const row = this.selectById.get(sandbox, id);
    if (!row) throw new Error(`Profile ${id} vanished inside its own transaction.`);
    return toProfile(row);
  }
}
