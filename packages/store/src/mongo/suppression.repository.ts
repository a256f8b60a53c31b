import type { Channel } from '@herald/contracts';
import { normaliseAddress, SPARES_TRANSACTIONAL, sparesTransactional } from '../suppressed-addresses';
import type { Page, PageRequest, Suppression, SuppressionRepository } from '../ports';
import { toIso } from './dates';
import { isDuplicateKeyError } from './duplicate-key';
import { cursorAfter, pageLimit, toPage } from './paging';
import type { SuppressionDoc, SuppressionModel } from './suppression.model';

export function toSuppression(doc: SuppressionDoc): Suppression {
  return {
    sandbox: doc.sandbox,
    channel: doc.channel,
    address: doc.address,
    reason: doc.reason,
    source: doc.source,
    createdAt: toIso(doc.createdAt),
  };
}

export class MongoSuppressionRepository implements SuppressionRepository {
  constructor(private readonly suppressions: SuppressionModel) {}

  async add(entry: Omit<Suppression, 'createdAt'>): Promise<Suppression> {
    const filter = {
      sandbox: entry.sandbox,
      channel: entry.channel,
      address: normaliseAddress(entry.channel, entry.address),
    };
    for (let attempt = 1; ; attempt += 1) {
      try {
        // $setOnInsert: an address already suppressed keeps its first reason and source (but below).
        const doc = await this.suppressions
          .findOneAndUpdate(
            filter,
            { $setOnInsert: { reason: entry.reason, source: entry.source, createdAt: new Date() } },
            { upsert: true, returnDocument: 'after', setDefaultsOnInsert: false },
          )
          .lean<SuppressionDoc>()
          .exec();
        if (!doc) throw new Error(`Suppression of ${filter.address} was not stored.`);
        if (sparesTransactional(doc.reason) && !sparesTransactional(entry.reason)) {
          // A marketing-only reason gives way to one that stops transactional messages too.
          const upgraded = await this.suppressions
            .findOneAndUpdate(
              { ...filter, reason: { $in: SPARES_TRANSACTIONAL } },
              { $set: { reason: entry.reason, source: entry.source, createdAt: new Date() } },
              { returnDocument: 'after' },
            )
            .lean<SuppressionDoc>()
            .exec();
          // Null when another writer upgraded or removed it first: answer what is there now.
          const current =
            upgraded ?? (await this.suppressions.findOne(filter).lean<SuppressionDoc>().exec()) ?? doc;
          return toSuppression(current);
        }
        return toSuppression(doc);
      } catch (error) {
        // The filter is exactly the unique key, so MongoDB ≥ 4.2 retries a lost upsert race
        // itself; older servers report E11000, and the entry exists by then.
        if (!isDuplicateKeyError(error) || attempt > 1) throw error;
      }
    }
  }

  async remove(sandbox: string, channel: Channel, address: string): Promise<boolean> {
    const { deletedCount } = await this.suppressions
      .deleteOne({ sandbox, channel, address: normaliseAddress(channel, address) })
      .exec();
    return deletedCount === 1;
  }

  async find(sandbox: string, channel: Channel, address: string): Promise<Suppression | null> {
    const doc = await this.suppressions
      .findOne({ sandbox, channel, address: normaliseAddress(channel, address) })
      .lean<SuppressionDoc>()
      .exec();
    return doc ? toSuppression(doc) : null;
  }

  async list(sandbox: string, channel: Channel, page?: PageRequest): Promise<Page<Suppression>> {
    const limit = pageLimit(page);
    const after = cursorAfter(page, 'string');
    const docs = await this.suppressions
      .find({ sandbox, channel, ...(after !== undefined ? { address: { $gt: after } } : {}) })
      .sort({ address: 1 })
      .limit(limit + 1)
      .lean<SuppressionDoc[]>()
      .exec();
    return toPage(docs, limit, (doc) => doc.address, toSuppression);
  }
}
