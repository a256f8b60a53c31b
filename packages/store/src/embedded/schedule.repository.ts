import { newId } from '@herald/contracts';
import type { NewSchedule, Schedule, ScheduleRepository, ScheduleStatus } from '../ports';
import type { Db } from './database';
import { fromJsonOrUndefined, setIfPresent, toJsonOrNull } from './columns';
import { now } from './time';

interface ScheduleRow {
  sandbox: string;
  id: string;
  campaign_id: string;
  audience_id: string | null;
  context: string | null;
  execute_at: string;
  status: ScheduleStatus;
  execution_id: string | null;
  created_at: string;
  updated_at: string;
}

interface ScheduleColumns {
  sandbox: string;
  id: string;
  campaignId: string;
  audienceId: string | null;
  context: string | null;
  executeAt: string;
  at: string;
}

function toSchedule(row: ScheduleRow): Schedule {
  const schedule: Schedule = {
    id: row.id,
    sandbox: row.sandbox,
    campaignId: row.campaign_id,
    executeAt: row.execute_at,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  setIfPresent(schedule, 'audienceId', row.audience_id);
  setIfPresent(schedule, 'context', fromJsonOrUndefined<Record<string, unknown>>(row.context));
  setIfPresent(schedule, 'executionId', row.execution_id);
  return schedule;
}

export class EmbeddedScheduleRepository implements ScheduleRepository {
  private readonly insert;
  private readonly selectOne;
  private readonly settleScheduled;

  constructor(db: Db) {
    this.insert = db.prepare<ScheduleColumns, ScheduleRow>(
      `INSERT INTO schedules (sandbox, id, campaign_id, audience_id, context, execute_at, status, execution_id,
                              created_at, updated_at)
       VALUES (@sandbox, @id, @campaignId, @audienceId, @context, @executeAt, 'Scheduled', NULL, @at, @at)
       RETURNING *`,
    );
    this.selectOne = db.prepare<[string, string], ScheduleRow>(
      `SELECT * FROM schedules WHERE sandbox = ? AND id = ?`,
    );
    // The status test inside the UPDATE is the compare-and-set: of a trigger and a cancel racing,
    // exactly one matches the row.
    this.settleScheduled = db.prepare<[string, string | null, string, string, string], ScheduleRow>(
      `UPDATE schedules SET status = ?, execution_id = coalesce(?, execution_id), updated_at = ?
       WHERE sandbox = ? AND id = ? AND status = 'Scheduled'
       RETURNING *`,
    );
  }

  async create(input: NewSchedule): Promise<Schedule> {
    const id = input.id ?? newId();
    const row = this.insert.get({
      sandbox: input.sandbox,
      id,
      campaignId: input.campaignId,
      audienceId: input.audienceId ?? null,
      context: toJsonOrNull(input.context),
      executeAt: input.executeAt,
      at: now(),
    });
    if (!row) throw new Error(`Schedule ${id} was not stored.`);
    return toSchedule(row);
  }

  async get(sandbox: string, id: string): Promise<Schedule | null> {
    const row = this.selectOne.get(sandbox, id);
    return row ? toSchedule(row) : null;
  }

  async settle(
    sandbox: string,
    id: string,
    to: Exclude<ScheduleStatus, 'Scheduled'>,
    executionId?: string,
  ): Promise<Schedule | null> {
    const row = this.settleScheduled.get(to, executionId ?? null, now(), sandbox, id);
    return row ? toSchedule(row) : null;
  }
}
