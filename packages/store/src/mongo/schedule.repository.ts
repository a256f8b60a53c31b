import { newId } from '@herald/contracts';
import { ConflictError } from '@herald/errors';
import type { NewSchedule, Schedule, ScheduleRepository, ScheduleStatus } from '../ports';
import { toDate, toIso } from './dates';
import { isDuplicateKeyError } from './duplicate-key';
import type { ScheduleDoc, ScheduleModel } from './schedule.model';

export function toSchedule(doc: ScheduleDoc): Schedule {
  return {
    id: doc.id,
    sandbox: doc.sandbox,
    campaignId: doc.campaignId,
    ...(doc.audienceId != null ? { audienceId: doc.audienceId } : {}),
    ...(doc.context != null ? { context: JSON.parse(doc.context) as Record<string, unknown> } : {}),
    executeAt: toIso(doc.executeAt),
    status: doc.status,
    ...(doc.executionId != null ? { executionId: doc.executionId } : {}),
    createdAt: toIso(doc.createdAt),
    updatedAt: toIso(doc.updatedAt),
  };
}

export class MongoScheduleRepository implements ScheduleRepository {
  constructor(private readonly schedules: ScheduleModel) {}

  async create(input: NewSchedule): Promise<Schedule> {
    const now = new Date();
    const doc: ScheduleDoc = {
      id: input.id ?? newId(),
      sandbox: input.sandbox,
      campaignId: input.campaignId,
      ...(input.audienceId !== undefined ? { audienceId: input.audienceId } : {}),
      ...(input.context !== undefined ? { context: JSON.stringify(input.context) } : {}),
      executeAt: toDate(input.executeAt, '/executeAt'),
      status: 'Scheduled',
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.schedules.insertOne(doc);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      throw new ConflictError('schedule-exists', `Schedule ${doc.id} already exists.`);
    }
    return toSchedule(doc);
  }

  async get(sandbox: string, id: string): Promise<Schedule | null> {
    const doc = await this.schedules.findOne({ sandbox, id }).lean<ScheduleDoc>().exec();
    return doc ? toSchedule(doc) : null;
  }

  async settle(
    sandbox: string,
    id: string,
    to: Exclude<ScheduleStatus, 'Scheduled'>,
    executionId?: string,
  ): Promise<Schedule | null> {
    const set: Partial<ScheduleDoc> = { status: to, updatedAt: new Date() };
    if (executionId !== undefined) set.executionId = executionId;
    // The status in the filter makes this a compare-and-set: of a concurrent trigger and
    // cancel, only the first finds the schedule still `Scheduled`.
    const doc = await this.schedules
      .findOneAndUpdate({ sandbox, id, status: 'Scheduled' }, { $set: set }, { returnDocument: 'after' })
      .lean<ScheduleDoc>()
      .exec();
    return doc ? toSchedule(doc) : null;
  }
}
