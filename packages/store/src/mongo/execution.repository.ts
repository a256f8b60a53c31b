import type { UpdateQuery } from 'mongoose';
import type { Execution, ExecutionStatus } from '@herald/contracts';
import { ConflictError } from '@herald/errors';
import type { ExecutionRepository, FanOutProgress, NewExecution, Page, PageRequest } from '../ports';
import { toIso } from './dates';
import { fieldsOf, setFieldsOf } from './document-fields';
import { isDuplicateKeyError } from './duplicate-key';
import type { ExecutionDoc, ExecutionModel } from './execution.model';
import { cursorAfter, pageLimit, toPage } from './paging';

export function toExecution(doc: ExecutionDoc): Execution {
  return {
    id: doc._id,
    ...fieldsOf(doc, [
      'sandbox',
      'kind',
      'campaignId',
      'campaignVersion',
      'requestId',
      'recipientCount',
      'status',
    ]),
    ...setFieldsOf(doc, ['error', 'createdBy', 'audienceId', 'targetedProfileCount', 'fanOutCursor']),
    createdAt: toIso(doc.createdAt),
    updatedAt: toIso(doc.updatedAt),
  };
}

export class MongoExecutionRepository implements ExecutionRepository {
  constructor(private readonly executions: ExecutionModel) {}

  async create(input: NewExecution): Promise<Execution> {
    const now = new Date();
    const doc: ExecutionDoc = {
      _id: input.id,
      sandbox: input.sandbox,
      kind: input.kind,
      campaignId: input.campaignId,
      campaignVersion: input.campaignVersion,
      requestId: input.requestId,
      recipientCount: input.recipientCount,
      status: input.status ?? 'accepted',
      ...(input.createdBy !== undefined ? { createdBy: input.createdBy } : {}),
      ...(input.audienceId !== undefined ? { audienceId: input.audienceId, targetedProfileCount: 0 } : {}),
      ...(input.context !== undefined ? { contextJson: JSON.stringify(input.context) } : {}),
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.executions.insertOne(doc);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      throw new ConflictError('execution-exists', `Execution ${input.id} already exists.`);
    }
    return toExecution(doc);
  }

  async get(sandbox: string, id: string): Promise<Execution | null> {
    const doc = await this.executions.findOne({ _id: id, sandbox }).lean<ExecutionDoc>().exec();
    return doc ? toExecution(doc) : null;
  }

  async getContext(sandbox: string, id: string): Promise<Record<string, unknown> | null> {
    const doc = await this.executions
      .findOne({ _id: id, sandbox }, { contextJson: 1 })
      .lean<Pick<ExecutionDoc, 'contextJson'>>()
      .exec();
    return doc?.contextJson ? (JSON.parse(doc.contextJson) as Record<string, unknown>) : null;
  }

  async setStatus(sandbox: string, id: string, status: ExecutionStatus, error?: string): Promise<void> {
    // The error describes the status it came with, so a later status without one clears it.
    const update: UpdateQuery<ExecutionDoc> =
      error !== undefined
        ? { $set: { status, error, updatedAt: new Date() } }
        : { $set: { status, updatedAt: new Date() }, $unset: { error: 1 } };
    await this.executions.updateOne({ _id: id, sandbox }, update).exec();
  }

  async recordFanOutProgress(sandbox: string, id: string, progress: FanOutProgress): Promise<void> {
    const update: UpdateQuery<ExecutionDoc> =
      progress.cursor !== null
        ? {
            $set: {
              fanOutCursor: progress.cursor,
              targetedProfileCount: progress.targetedProfileCount,
              updatedAt: new Date(),
            },
          }
        : {
            $set: { targetedProfileCount: progress.targetedProfileCount, updatedAt: new Date() },
            $unset: { fanOutCursor: 1 },
          };
    await this.executions.updateOne({ _id: id, sandbox }, update).exec();
  }

  async listByCampaign(sandbox: string, campaignId: string, page?: PageRequest): Promise<Page<Execution>> {
    const limit = pageLimit(page);
    const after = cursorAfter(page, 'string');
    const docs = await this.executions
      .find({ sandbox, campaignId, ...(after !== undefined ? { _id: { $gt: after } } : {}) })
      .sort({ _id: 1 })
      .limit(limit + 1)
      .lean<ExecutionDoc[]>()
      .exec();
    return toPage(docs, limit, (doc) => doc._id, toExecution);
  }
}
