import type { PipelineStage } from 'mongoose';
import type {
  EngagementCountRow,
  EngagementEvent,
  EngagementGrouping,
  EngagementKind,
  EngagementRepository,
  EngagementScope,
} from '../ports';
import { toDate } from './dates';
import { isDuplicateKeyWriteError, writeErrorsOf } from './duplicate-key';
import type { EngagementDoc, EngagementModel } from './engagement.model';

/** One row of the count pipeline's output. */
interface CountDoc {
  /** A Date when grouped by bucket; the dimension's value (or null) otherwise. */
  group: Date | string | null;
  kind: EngagementKind;
  machine: boolean;
  /** Grouped by link only. */
  label?: string | null;
  total: number;
  unique: number;
}

function toDoc(event: EngagementEvent, index: number): EngagementDoc {
  const { at, machine, ...fields } = event;
  return { ...fields, at: toDate(at, `/${index}/at`), machine: machine === true };
}

/** Bucket width in milliseconds; refuses what would make buckets meaningless. */
function bucketMs(bucketSeconds: number): number {
  if (!Number.isSafeInteger(bucketSeconds) || bucketSeconds <= 0) {
    throw new RangeError(`bucketSeconds must be a positive whole number of seconds, got ${bucketSeconds}.`);
  }
  return bucketSeconds * 1000;
}

/** An optional field, null when absent: a missing field would make a group of its own. */
function orNull(field: string): Record<string, unknown> {
  return { $ifNull: [`$${field}`, null] };
}

/**
 * The domain of the looked-up delivery's address, lower-case: what follows the last `@`, when
 * something comes before it; null otherwise (the rule of the embedded store's SQL function).
 */
const DELIVERY_ADDRESS_DOMAIN = {
  $let: {
    vars: { address: { $ifNull: [{ $first: '$delivery.address' }, ''] } },
    in: {
      $let: {
        vars: { domain: { $arrayElemAt: [{ $split: ['$$address', '@'] }, -1] } },
        in: {
          $cond: [
            {
              $and: [
                { $gt: [{ $strLenCP: '$$address' }, { $add: [{ $strLenCP: '$$domain' }, 1] }] },
                { $gt: [{ $strLenCP: '$$domain' }, 0] },
              ],
            },
            { $toLower: '$$domain' },
            null,
          ],
        },
      },
    },
  },
};

function groupExpression(grouping: EngagementGrouping): unknown {
  switch (grouping.by) {
    case 'bucket': {
      // Buckets aligned to the Unix epoch, as the port promises: at − (at mod width).
      const at = { $toLong: '$at' };
      return { $toDate: { $subtract: [at, { $mod: [at, bucketMs(grouping.bucketSeconds)] }] } };
    }
    case 'link':
      return orNull('linkId');
    case 'domain':
      return orNull('domain');
    case 'locale':
      return orNull('locale');
    case 'reason':
      return orNull('reason');
  }
}

/**
 * The count in two $group stages: first one document per group, kind, machine flag and
 * delivery (with its event count), then one per group, kind and flag, where the deliveries are
 * counted as documents: unique counts without holding a set of delivery ids per group.
 */
function countPipeline(
  scope: EngagementScope,
  grouping: EngagementGrouping,
  deliveriesCollection: string,
): PipelineStage[] {
  const match: Record<string, unknown> = {
    sandbox: scope.sandbox,
    at: { $gte: toDate(scope.from, 'from'), $lt: toDate(scope.to, 'to') },
  };
  if (scope.campaignId !== undefined) match.campaignId = scope.campaignId;
  if (scope.executionId !== undefined) match.executionId = scope.executionId;
  const byLink = grouping.by === 'link';
  const pipeline: PipelineStage[] = [
    { $match: match },
    {
      $group: {
        _id: {
          group: groupExpression(grouping),
          kind: '$kind',
          machine: '$machine',
          deliveryId: '$deliveryId',
        },
        events: { $sum: 1 },
        // $max skips missing values: every event of one link carries the same label, or none.
        ...(byLink ? { label: { $max: '$label' } } : {}),
      },
    },
  ];
  if (grouping.by === 'domain') {
    // An event without a domain takes the one of its delivery record's address (same sandbox).
    // A $lookup with both localField and a pipeline needs MongoDB ≥ 5.0.
    pipeline.push(
      {
        $lookup: {
          from: deliveriesCollection,
          localField: '_id.deliveryId',
          foreignField: '_id',
          pipeline: [{ $match: { sandbox: scope.sandbox } }, { $project: { _id: 0, address: 1 } }],
          as: 'delivery',
        },
      },
      { $set: { '_id.group': { $ifNull: ['$_id.group', DELIVERY_ADDRESS_DOMAIN] } } },
    );
  }
  pipeline.push(
    {
      $group: {
        _id: { group: '$_id.group', kind: '$_id.kind', machine: '$_id.machine' },
        total: { $sum: '$events' },
        unique: { $sum: 1 },
        ...(byLink ? { label: { $max: '$label' } } : {}),
      },
    },
    { $sort: { '_id.group': 1, '_id.kind': 1, '_id.machine': 1 } },
    {
      $project: {
        _id: 0,
        group: '$_id.group',
        kind: '$_id.kind',
        machine: '$_id.machine',
        ...(byLink ? { label: { $ifNull: ['$label', null] } } : {}),
        total: 1,
        unique: 1,
      },
    },
  );
  return pipeline;
}

function toCountRow(doc: CountDoc, grouping: EngagementGrouping): EngagementCountRow {
  const group = doc.group instanceof Date ? doc.group.toISOString() : doc.group;
  const row: EngagementCountRow = {
    group,
    kind: doc.kind,
    machine: doc.machine,
    total: doc.total,
    unique: doc.unique,
  };
  if (grouping.by === 'link' && typeof doc.label === 'string') row.label = doc.label;
  return row;
}

export class MongoEngagementRepository implements EngagementRepository {
  constructor(
    private readonly events: EngagementModel,
    /** Where `count` by domain looks up delivery records. */
    private readonly deliveriesCollection: string,
  ) {}

  async recordMany(events: readonly EngagementEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    // Converted first: a batch with a bad timestamp stores nothing.
    const docs = events.map(toDoc);
    try {
      // Straight to the driver: the documents are already in their stored shape, and the
      // driver's bulk error reports how many were inserted beside the refused ones.
      const result = await this.events.collection.insertMany(docs, { ordered: false });
      return result.insertedCount;
    } catch (error) {
      // Unordered: every new key is inserted, each already-stored key refused with E11000
      // (the unique index on {sandbox, key}), whether stored before or earlier in this batch.
      const writeErrors = writeErrorsOf(error);
      if (writeErrors.length === 0 || !writeErrors.every(isDuplicateKeyWriteError)) throw error;
      return insertedCountOf(error) ?? docs.length - writeErrors.length;
    }
  }

  async count(scope: EngagementScope, grouping: EngagementGrouping): Promise<EngagementCountRow[]> {
    const pipeline = countPipeline(scope, grouping, this.deliveriesCollection);
    const docs = await this.events.aggregate<CountDoc>(pipeline).exec();
    return docs.map((doc) => toCountRow(doc, grouping));
  }
}

/** The driver's MongoBulkWriteError carries the count of documents it did insert. */
function insertedCountOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('insertedCount' in error)) return undefined;
  return typeof error.insertedCount === 'number' ? error.insertedCount : undefined;
}
