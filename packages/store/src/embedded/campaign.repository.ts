import type { Campaign, CampaignDefinition, CampaignStatus, CampaignVersion } from '@herald/contracts';
import { newId } from '@herald/contracts';
import { ConflictError, NotFoundError } from '@herald/errors';
import type { CampaignRepository, CampaignTransition, NewCampaign, Page, PageRequest } from '../ports';
import type { Db } from './database';
import { fromJson, toJson } from './columns';
import { pageQuery, toPage } from './paging';
import { now } from './time';

interface CampaignRow {
  sandbox: string;
  id: string;
  status: CampaignStatus;
  latest_version: number;
  live_version: number | null;
  definition: string;
  created_at: string;
  updated_at: string;
}

interface VersionRow {
  sandbox: string;
  campaign_id: string;
  version: number;
  definition: string;
  created_at: string;
}

// The campaign's definition is the one of its latest version: stored once, in the versions table.
const SELECT_CAMPAIGN = `
  SELECT c.sandbox, c.id, c.status, c.latest_version, c.live_version, v.definition, c.created_at, c.updated_at
  FROM campaigns c
  JOIN campaign_versions v
    ON v.sandbox = c.sandbox AND v.campaign_id = c.id AND v.version = c.latest_version`;

function toCampaign(row: CampaignRow): Campaign {
  return {
    id: row.id,
    sandbox: row.sandbox,
    status: row.status,
    latestVersion: row.latest_version,
    liveVersion: row.live_version,
    definition: fromJson<CampaignDefinition>(row.definition),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toVersion(row: VersionRow): CampaignVersion {
  return {
    campaignId: row.campaign_id,
    sandbox: row.sandbox,
    version: row.version,
    definition: fromJson<CampaignDefinition>(row.definition),
    createdAt: row.created_at,
  };
}

function notFound(id: string): NotFoundError {
  return new NotFoundError('campaign-not-found', `Campaign ${id} does not exist.`);
}

function liveVersionConflict(id: string, live: number | null, expected: number | null): ConflictError {
  return new ConflictError(
    'version-conflict',
    `Campaign ${id} has live version ${live ?? 'none'}, not ${expected ?? 'none'}: another change was saved first. Reload it and retry.`,
  );
}

export class EmbeddedCampaignRepository implements CampaignRepository {
  private readonly insertCampaign;
  private readonly insertVersion;
  private readonly selectOne;
  private readonly selectPage;
  private readonly selectVersion;
  private readonly selectVersionPage;
  private readonly updateLatest;
  private readonly updateStatus;

  constructor(private readonly db: Db) {
    this.insertCampaign = db.prepare<[string, string, string, string, string]>(
      `INSERT INTO campaigns (sandbox, id, status, latest_version, live_version, created_at, updated_at)
       VALUES (?, ?, ?, 1, NULL, ?, ?)`,
    );
    this.insertVersion = db.prepare<[string, string, number, string, string]>(
      `INSERT INTO campaign_versions (sandbox, campaign_id, version, definition, created_at) VALUES (?, ?, ?, ?, ?)`,
    );
    this.selectOne = db.prepare<[string, string], CampaignRow>(
      `${SELECT_CAMPAIGN} WHERE c.sandbox = ? AND c.id = ?`,
    );
    this.selectPage = db.prepare<[string, string, number], CampaignRow>(
      `${SELECT_CAMPAIGN} WHERE c.sandbox = ? AND c.id > ? ORDER BY c.id LIMIT ?`,
    );
    this.selectVersion = db.prepare<[string, string, number], VersionRow>(
      `SELECT * FROM campaign_versions WHERE sandbox = ? AND campaign_id = ? AND version = ?`,
    );
    this.selectVersionPage = db.prepare<[string, string, number, number], VersionRow>(
      `SELECT * FROM campaign_versions WHERE sandbox = ? AND campaign_id = ? AND version > ? ORDER BY version LIMIT ?`,
    );
    this.updateLatest = db.prepare<[number, string, string, string]>(
      `UPDATE campaigns SET latest_version = ?, updated_at = ? WHERE sandbox = ? AND id = ?`,
    );
    this.updateStatus = db.prepare<[string, number | null, string, string, string]>(
      `UPDATE campaigns SET status = ?, live_version = coalesce(?, live_version), updated_at = ?
       WHERE sandbox = ? AND id = ?`,
    );
  }

  async create(input: NewCampaign): Promise<Campaign> {
    const id = input.id ?? newId();
    const at = now();
    this.db
      .transaction(() => {
        this.insertCampaign.run(input.sandbox, id, 'draft', at, at);
        this.insertVersion.run(input.sandbox, id, 1, toJson(input.definition), at);
      })
      .immediate();
    return this.mustGet(input.sandbox, id);
  }

  async get(sandbox: string, id: string): Promise<Campaign | null> {
    const row = this.selectOne.get(sandbox, id);
    return row ? toCampaign(row) : null;
  }

  async list(sandbox: string, page?: PageRequest): Promise<Page<Campaign>> {
    const query = pageQuery<[string]>(page, ['']);
    const [afterId] = query.after;
    const rows = this.selectPage.all(sandbox, afterId, query.fetch);
    return toPage(rows, query, toCampaign, (row) => [row.id]);
  }

  async getVersion(sandbox: string, id: string, version: number): Promise<CampaignVersion | null> {
    const row = this.selectVersion.get(sandbox, id, version);
    return row ? toVersion(row) : null;
  }

  async listVersions(sandbox: string, id: string, page?: PageRequest): Promise<Page<CampaignVersion>> {
    const query = pageQuery<[number]>(page, [0]);
    const [afterVersion] = query.after;
    const rows = this.selectVersionPage.all(sandbox, id, afterVersion, query.fetch);
    return toPage(rows, query, toVersion, (row) => [row.version]);
  }

  async addVersion(
    sandbox: string,
    id: string,
    definition: CampaignDefinition,
    expectedLatestVersion: number,
  ): Promise<Campaign> {
    return this.db
      .transaction(() => {
        const current = this.selectOne.get(sandbox, id);
        if (!current) throw notFound(id);
        if (current.latest_version !== expectedLatestVersion) {
          throw new ConflictError(
            'version-conflict',
            `Campaign ${id} is at version ${current.latest_version}, not ${expectedLatestVersion}: reload it and retry.`,
          );
        }
        const at = now();
        const version = expectedLatestVersion + 1;
        this.insertVersion.run(sandbox, id, version, toJson(definition), at);
        this.updateLatest.run(version, at, sandbox, id);
        return this.mustGet(sandbox, id);
      })
      .immediate();
  }

  async transition(sandbox: string, id: string, transition: CampaignTransition): Promise<Campaign> {
    return this.db
      .transaction(() => {
        const current = this.selectOne.get(sandbox, id);
        if (!current) throw notFound(id);
        if (!transition.from.includes(current.status)) {
          throw new ConflictError(
            'illegal-transition',
            `Campaign ${id} is ${current.status}; it must be ${transition.from.join(' or ')} to become ${transition.to}.`,
          );
        }
        if (
          transition.expectedLiveVersion !== undefined &&
          current.live_version !== transition.expectedLiveVersion
        ) {
          throw liveVersionConflict(id, current.live_version, transition.expectedLiveVersion);
        }
        this.updateStatus.run(transition.to, transition.liveVersion ?? null, now(), sandbox, id);
        return this.mustGet(sandbox, id);
      })
      .immediate();
  }

  private mustGet(sandbox: string, id: string): Campaign {
    const row = this.selectOne.get(sandbox, id);
    if (!row) throw notFound(id);
    return toCampaign(row);
  }
}
