import type { MirrorPage, MirrorPageRepository } from '../ports';
import { toDate, toIso } from './dates';
import type { MirrorPageDoc, MirrorPageModel } from './mirror-page.model';

function toMirrorPage(doc: MirrorPageDoc): MirrorPage {
  return {
    sandbox: doc.sandbox,
    deliveryId: doc.deliveryId,
    subject: doc.subject,
    html: doc.html,
    expiresAt: toIso(doc.expiresAt),
  };
}

export class MongoMirrorPageRepository implements MirrorPageRepository {
  constructor(private readonly pages: MirrorPageModel) {}

  async put(page: MirrorPage): Promise<void> {
    const { sandbox, deliveryId, subject, html } = page;
    // The filter is exactly the unique key, so the server retries a lost upsert race itself.
    await this.pages
      .updateOne(
        { sandbox, deliveryId },
        { $set: { subject, html, expiresAt: toDate(page.expiresAt, 'expiresAt') } },
        { upsert: true },
      )
      .exec();
  }

  async get(sandbox: string, deliveryId: string, now: Date = new Date()): Promise<MirrorPage | null> {
    // The expiry is checked here too: the TTL monitor removes expired pages only once a minute.
    const doc = await this.pages
      .findOne({ sandbox, deliveryId, expiresAt: { $gt: now } })
      .lean<MirrorPageDoc>()
      .exec();
    return doc ? toMirrorPage(doc) : null;
  }
}
