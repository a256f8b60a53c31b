import type { ShortLink, ShortLinkRepository } from '../ports';
import { toDate, toIso } from './dates';
import { isDuplicateKeyWriteError, operationIndexOf, writeErrorsOf } from './duplicate-key';
import type { ShortLinkDoc, ShortLinkModel } from './short-link.model';

export class MongoShortLinkRepository implements ShortLinkRepository {
  constructor(private readonly links: ShortLinkModel) {}

  async insertMany(links: readonly ShortLink[]): Promise<string[]> {
    if (links.length === 0) return [];
    // Converted before the write: a batch with a bad timestamp stores nothing.
    const docs: ShortLinkDoc[] = links.map((link, index) => ({
      code: link.code,
      sandbox: link.sandbox,
      token: link.token,
      expiresAt: toDate(link.expiresAt, `/${index}/expiresAt`),
    }));
    try {
      await this.links.collection.insertMany(docs, { ordered: false });
      return [];
    } catch (error) {
      // Unordered: every free code is inserted, each taken one refused with E11000 (unique index).
      const writeErrors = writeErrorsOf(error);
      if (writeErrors.length === 0 || !writeErrors.every(isDuplicateKeyWriteError)) throw error;
      return writeErrors.map((writeError) => {
        const index = operationIndexOf(writeError);
        const doc = index === undefined ? undefined : docs[index];
        if (!doc) throw error;
        return doc.code;
      });
    }
  }

  async get(code: string, now: Date = new Date()): Promise<ShortLink | null> {
    // The expiry is checked here too: the TTL monitor removes expired links only once a minute.
    const doc = await this.links
      .findOne({ code, expiresAt: { $gt: now } })
      .lean<ShortLinkDoc>()
      .exec();
    return doc
      ? { code: doc.code, sandbox: doc.sandbox, token: doc.token, expiresAt: toIso(doc.expiresAt) }
      : null;
  }
}
