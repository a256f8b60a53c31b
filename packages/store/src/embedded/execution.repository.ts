import type { Execution, ExecutionKind, ExecutionStatus } from '@herald/contracts';
import type { ExecutionRepository, FanOutProgress, NewExecution, Page, PageRequest } from '../ports';
import type { Db } from './database';
import { setIfPresent } from './columns';
import { pageQuery, toPage } from './paging';
import { now } from './time';

interface ExecutionRow {
  sandbox: string;
  id: string;
  kind: ExecutionKind;
  campaign_id: string;
  campaign_version: number;
  request_id: string;
  recipient_count: number;
  status: ExecutionStatus;
  error: string | null;
  created_by: string | null;
  audience_id: string | null;
  targeted_profile_count: number | null;
  fan_out_cursor: string | null;
  created_at: string;
  updated_at: string;
}

type ExecutionColumns = Omit<NewExecution, 'createdBy' | 'audienceId' | 'status' | 'context'> & {
  status: ExecutionStatus;
  context: string | null;
  createdBy: string | null;
  audienceId: string | null;
  targetedProfileCount: number | null;
  at: string;
};

function toExecution(row: ExecutionRow): Execution {
  const execution: Execution = {
    id: row.id,
    sandbox: row.sandbox,
    kind: row.kind,
    campaignId: row.campaign_id,
    campaignVersion: row.campaign_version,
    requestId: row.request_id,
    recipientCount: row.recipient_count,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  setIfPresent(execution, 'error', row.error);
  setIfPresent(execution, 'createdBy', row.created_by);
  setIfPresent(execution, 'audienceId', row.audience_id);
  setIfPresent(execution, 'targetedProfileCount', row.targeted_profile_count);
  setIfPresent(execution, 'fanOutCursor', row.fan_out_cursor);
  return execution;
}

export class EmbeddedExecutionRepository implements ExecutionRepository {
  private readonly insert;
  private readonly selectOne;
  private readonly selectContext;
  private readonly selectPage;
  private readonly updateStatus;
  private readonly updateFanOut;

  constructor(db: Db) {
    this.insert = db.prepare<ExecutionColumns, ExecutionRow>(
      `INSERT INTO executions (sandbox, id, kind, campaign_id, campaign_version, request_id, recipient_count,
                               status, error, created_by, audience_id, targeted_profile_count,
                               context, created_at, updated_at)
       VALUES (@sandbox, @id, @kind, @campaignId, @campaignVersion, @requestId, @recipientCount,
               @status, NULL, @createdBy, @audienceId, @targetedProfileCount, @context, @at, @at)
       RETURNING *`,
    );
    this.selectContext = db.prepare<[string, string], { context: string | null }>(
      `SELECT context FROM executions WHERE sandbox = ? AND id = ?`,
    );
    this.selectOne = db.prepare<[string, string], ExecutionRow>(
      `SELECT * FROM executions WHERE sandbox = ? AND id = ?`,
    );
    this.selectPage = db.prepare<[string, string, string, number], ExecutionRow>(
      `SELECT * FROM executions WHERE sandbox = ? AND campaign_id = ? AND id > ? ORDER BY id LIMIT ?`,
    );
    this.updateStatus = db.prepare<[string, string | null, string, string, string]>(
      `UPDATE executions SET status = ?, error = ?, updated_at = ? WHERE sandbox = ? AND id = ?`,
    );
    this.updateFanOut = db.prepare<[string | null, number, string, string, string]>(
      `UPDATE executions SET fan_out_cursor = ?, targeted_profile_count = ?, updated_at = ?
       WHERE sandbox = ? AND id = ?`,
    );
  }

  async create(input: NewExecution): Promise<Execution> {
    const row = this.insert.get({
      sandbox: input.sandbox,
      id: input.id,
      kind: input.kind,
      campaignId: input.campaignId,
      campaignVersion: input.campaignVersion,
      requestId: input.requestId,
      recipientCount: input.recipientCount,
      status: input.status ?? 'accepted',
      createdBy: input.createdBy ?? null,
      audienceId: input.audienceId ?? null,
      targetedProfileCount: input.audienceId === undefined ? null : 0,
      context: input.context === undefined ? null : JSON.stringify(input.context),
      at: now(),
    });
    if (!row) throw new Error(`Execution ${input.id} was not stored.`);
    return toExecution(row);
  }

  async get(sandbox: string, id: string): Promise<Execution | null> {
    const row = this.selectOne.get(sandbox, id);
    return row ? toExecution(row) : null;
  }

  async getContext(sandbox: string, id: string): Promise<Record<string, unknown> | null> {
    const row = this.selectContext.get(sandbox, id);
    return row?.context ? (JSON.parse(row.context) as Record<string, unknown>) : null;
  }

  async setStatus(sandbox: string, id: string, status: ExecutionStatus, error?: string): Promise<void> {
    // The error describes the status it came with, so a later status without one clears it.
    this.updateStatus.run(status, error ?? null, now(), sandbox, id);
  }

  async recordFanOutProgress(sandbox: string, id: string, progress: FanOutProgress): Promise<void> {
    this.updateFanOut.run(progress.cursor, progress.targetedProfileCount, now(), sandbox, id);
  }

  async listByCampaign(sandbox: string, campaignId: string, page?: PageRequest): Promise<Page<Execution>> {
    const query = pageQuery<[string]>(page, ['']);
    const [afterId] = query.after;
    const rows = this.selectPage.all(sandbox, campaignId, afterId, query.fetch);
    return toPage(rows, query, toExecution, (row) => [row.id]);
  }
}
