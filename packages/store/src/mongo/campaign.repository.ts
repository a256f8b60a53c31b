import { Types, type QueryFilter } from 'mongoose';
import { newId } from '@herald/contracts';
import type { Campaign, CampaignDefinition, CampaignVersion } from '@herald/contracts';
import { ConflictError, NotFoundError } from '@herald/errors';
import type { CampaignRepository, CampaignTransition, NewCampaign, Page, PageRequest } from '../ports';
import { decodeDefinition, encodeDefinition, type StoredDefinition } from './campaign-definition';
import type { CampaignDoc, CampaignModel } from './campaign.model';
import type { CampaignVersionDoc, CampaignVersionModel } from './campaign-version.model';
import { toIso } from './dates';
import { isDuplicateKeyError } from './duplicate-key';
import { cursorAfter, pageLimit, toPage } from './paging';

/**
 * A version document older than this whose number the campaign never reached was left by a
 * writer that died between its two writes; a live writer finishes both within milliseconds.
 * Without this, that number would stay taken and the campaign could never be edited again.
 */
const ABANDONED_VERSION_AGE_MS = 5 * 60_000;

export function toCampaign(doc: CampaignDoc): Campaign {
  return {
    id: doc.id,
    sandbox: doc.sandbox,
    status: doc.status,
    latestVersion: doc.latestVersion,
    liveVersion: doc.liveVersion ?? null,
    definition: decodeDefinition(doc.definition),
    createdAt: toIso(doc.createdAt),
    updatedAt: toIso(doc.updatedAt),
  };
}

export function toCampaignVersion(doc: CampaignVersionDoc): CampaignVersion {
  return {
    campaignId: doc.campaignId,
    sandbox: doc.sandbox,
    version: doc.version,
    definition: decodeDefinition(doc.definition),
    createdAt: toIso(doc.createdAt),
  };
}

function campaignNotFound(id: string): NotFoundError {
  return new NotFoundError('campaign-not-found', `Campaign ${id} does not exist.`);
}

function versionConflict(id: string, expected: number): ConflictError {
  return new ConflictError(
    'version-conflict',
    `Campaign ${id} is no longer at version ${expected}: another change was saved first. Reload it and retry.`,
  );
}

function liveVersionConflict(id: string, live: number | null, expected: number | null): ConflictError {
  return new ConflictError(
    'version-conflict',
    `Campaign ${id} has live version ${live ?? 'none'}, not ${expected ?? 'none'}: another change was saved first. Reload it and retry.`,
  );
}

export class MongoCampaignRepository implements CampaignRepository {
  constructor(
    private readonly campaigns: CampaignModel,
    private readonly versions: CampaignVersionModel,
  ) {}

  async create(input: NewCampaign): Promise<Campaign> {
    const now = new Date();
    const doc: CampaignDoc = {
      id: input.id ?? newId(),
      sandbox: input.sandbox,
      status: 'draft',
      latestVersion: 1,
      liveVersion: null,
      definition: encodeDefinition(input.definition),
      createdAt: now,
      updatedAt: now,
    };
    // The campaign first: a taken id then fails before any version is written for it.
    try {
      await this.campaigns.insertOne(doc);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      throw new ConflictError('campaign-exists', `Campaign ${doc.id} already exists.`);
    }
    await this.versions.insertOne({
      _id: new Types.ObjectId(),
      campaignId: doc.id,
      sandbox: doc.sandbox,
      version: 1,
      definition: doc.definition,
      createdAt: now,
    });
    return toCampaign(doc);
  }

  async get(sandbox: string, id: string): Promise<Campaign | null> {
    const doc = await this.campaigns.findOne({ sandbox, id }).lean<CampaignDoc>().exec();
    return doc ? toCampaign(doc) : null;
  }

  async list(sandbox: string, page?: PageRequest): Promise<Page<Campaign>> {
    const limit = pageLimit(page);
    const after = cursorAfter(page, 'string');
    const docs = await this.campaigns
      .find({ sandbox, ...(after !== undefined ? { id: { $gt: after } } : {}) })
      .sort({ id: 1 })
      .limit(limit + 1)
      .lean<CampaignDoc[]>()
      .exec();
    return toPage(docs, limit, (doc) => doc.id, toCampaign);
  }

  async getVersion(sandbox: string, id: string, version: number): Promise<CampaignVersion | null> {
    const doc = await this.versions
      .findOne({ sandbox, campaignId: id, version })
      .lean<CampaignVersionDoc>()
      .exec();
    return doc ? toCampaignVersion(doc) : null;
  }

  async listVersions(sandbox: string, id: string, page?: PageRequest): Promise<Page<CampaignVersion>> {
    const limit = pageLimit(page);
    const after = cursorAfter(page, 'number');
    const campaign = await this.campaigns
      .findOne({ sandbox, id })
      .select({ latestVersion: 1 })
      .lean<Pick<CampaignDoc, 'latestVersion'>>()
      .exec();
    if (!campaign) return { items: [], nextCursor: null };
    // Up to the campaign's latest version only: a number claimed by an unfinished (or dead)
    // addVersion is not a version of the campaign yet.
    const version = { $lte: campaign.latestVersion, ...(after !== undefined ? { $gt: after } : {}) };
    const docs = await this.versions
      .find({ sandbox, campaignId: id, version })
      .sort({ version: 1 })
      .limit(limit + 1)
      .lean<CampaignVersionDoc[]>()
      .exec();
    return toPage(docs, limit, (doc) => doc.version, toCampaignVersion);
  }

  /**
   * Two writes without a transaction (a standalone server has none): the version document
   * claims the number through the unique index, then the campaign moves to it with a
   * compare-and-set on `latestVersion`.
   */
  async addVersion(
    sandbox: string,
    id: string,
    definition: CampaignDefinition,
    expectedLatestVersion: number,
  ): Promise<Campaign> {
    const current = await this.campaigns.findOne({ sandbox, id }).lean<CampaignDoc>().exec();
    if (!current) throw campaignNotFound(id);
    // Checked first so that a stale writer leaves no version document behind.
    if (current.latestVersion !== expectedLatestVersion) throw versionConflict(id, expectedLatestVersion);

    const now = new Date();
    const stored = encodeDefinition(definition);
    const versionId = await this.claimVersion(sandbox, id, expectedLatestVersion, stored, now);

    const updated = await this.campaigns
      .findOneAndUpdate(
        { sandbox, id, latestVersion: expectedLatestVersion },
        { $set: { latestVersion: expectedLatestVersion + 1, definition: stored, updatedAt: now } },
        { returnDocument: 'after' },
      )
      .lean<CampaignDoc>()
      .exec();
    if (!updated) {
      // Frees the number for whoever moved the campaign on.
      await this.versions.deleteOne({ _id: versionId }).exec();
      const exists = await this.campaigns.exists({ sandbox, id }).exec();
      throw exists ? versionConflict(id, expectedLatestVersion) : campaignNotFound(id);
    }
    return toCampaign(updated);
  }

  /** Inserts version `expected + 1`; E11000 means another writer claimed it first. */
  private async claimVersion(
    sandbox: string,
    id: string,
    expected: number,
    definition: StoredDefinition,
    now: Date,
  ): Promise<Types.ObjectId> {
    const version = expected + 1;
    for (let attempt = 1; ; attempt += 1) {
      const versionId = new Types.ObjectId();
      try {
        await this.versions.insertOne({
          _id: versionId,
          campaignId: id,
          sandbox,
          version,
          definition,
          createdAt: now,
        });
        return versionId;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        if (attempt > 1 || !(await this.removeAbandonedVersion(sandbox, id, expected, now))) {
          throw versionConflict(id, expected);
        }
      }
    }
  }

  /** Deletes version `expected + 1` when its writer evidently died before moving the campaign to it. */
  private async removeAbandonedVersion(
    sandbox: string,
    id: string,
    expected: number,
    now: Date,
  ): Promise<boolean> {
    const [holder, campaign] = await Promise.all([
      this.versions
        .findOne({ sandbox, campaignId: id, version: expected + 1 })
        .lean<CampaignVersionDoc>()
        .exec(),
      this.campaigns.findOne({ sandbox, id }).lean<CampaignDoc>().exec(),
    ]);
    if (!holder || campaign?.latestVersion !== expected) return false;
    if (now.getTime() - holder.createdAt.getTime() < ABANDONED_VERSION_AGE_MS) return false;
    const { deletedCount } = await this.versions.deleteOne({ _id: holder._id }).exec();
    return deletedCount === 1;
  }

  async transition(sandbox: string, id: string, transition: CampaignTransition): Promise<Campaign> {
    const set: Partial<CampaignDoc> = { status: transition.to, updatedAt: new Date() };
    if (transition.liveVersion !== undefined) set.liveVersion = transition.liveVersion;
    const filter: QueryFilter<CampaignDoc> = { sandbox, id, status: { $in: [...transition.from] } };
    // `liveVersion: null` also matches a document written before the field had a default.
    if (transition.expectedLiveVersion !== undefined) filter.liveVersion = transition.expectedLiveVersion;
    const updated = await this.campaigns
      .findOneAndUpdate(filter, { $set: set }, { returnDocument: 'after' })
      .lean<CampaignDoc>()
      .exec();
    if (updated) return toCampaign(updated);
    // The filter cannot say why nothing matched; the document can.
    const current = await this.campaigns.findOne({ sandbox, id }).lean<CampaignDoc>().exec();
    if (!current) throw campaignNotFound(id);
    if (!transition.from.includes(current.status)) {
      throw new ConflictError(
        'illegal-transition',
        `Campaign ${id} is ${current.status}; it must be ${transition.from.join(' or ')} to become ${transition.to}.`,
      );
    }
    throw liveVersionConflict(id, current.liveVersion ?? null, transition.expectedLiveVersion ?? null);
  }
}
