import type { Channel, DeliveryEvent, DeliveryStatus } from '@herald/contracts';
import { feedbackOutcome, statusesAdvancedBy } from '../delivery-feedback';
import type { FeedbackOutcome } from '../ports';
import type { Db } from './database';
import { toJson } from './columns';
import { now } from './time';

interface FeedbackRow {
  status: DeliveryStatus;
  reason: string | null;
  execution_id: string;
  campaign_id: string;
  channel: Channel;
  address: string | null;
}

interface FeedbackColumns {
  sandbox: string;
  id: string;
  status: DeliveryStatus;
  reason: string | null;
  event: string;
  at: string;
}

export type ApplyFeedback = (sandbox: string, id: string, event: DeliveryEvent) => FeedbackOutcome;

/** `DeliveryRepository.recordFeedback` on SQLite: its statements, run in one write transaction. */
export function prepareFeedback(db: Db): ApplyFeedback {
  const select = db.prepare<[string, string], FeedbackRow>(
    `SELECT status, reason, execution_id, campaign_id, channel, address
     FROM deliveries WHERE sandbox = ? AND id = ?`,
  );
  const advance = db.prepare<FeedbackColumns>(
    `UPDATE deliveries SET
       status = @status,
       reason = @reason,
       history = json_insert(history, '$[#]', json(@event)),
       updated_at = @at
     WHERE sandbox = @sandbox AND id = @id`,
  );
  // BEGIN IMMEDIATE takes the write lock before the read, so of two concurrent events (in this
  // process or another) the second reads the status the first one wrote.
  const apply = db.transaction(
    (sandbox: string, id: string, event: DeliveryEvent, from: readonly DeliveryStatus[]): FeedbackOutcome => {
      const row = select.get(sandbox, id);
      if (!row) return { found: false };
      const changed = from.includes(row.status);
      if (changed) {
        advance.run({
          sandbox,
          id,
          status: event.status,
          reason: event.reason ?? null,
          event: toJson(event),
          at: now(),
        });
      }
      const previous = {
        executionId: row.execution_id,
        campaignId: row.campaign_id,
        channel: row.channel,
        address: row.address,
        status: row.status,
        reason: row.reason,
      };
      return feedbackOutcome(previous, changed ? event : undefined);
    },
  );
  return (sandbox, id, event) => apply.immediate(sandbox, id, event, statusesAdvancedBy(event.status));
}
