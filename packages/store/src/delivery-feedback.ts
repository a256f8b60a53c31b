import { FEEDBACK_STATUSES, type Channel, type DeliveryEvent, type DeliveryStatus } from '@herald/contracts';
import type { FeedbackOutcome } from './delivery.ports';

/**
 * The feedback funnel, lowest rank first. Provider events arrive out of order (an open can be
 * reported before the delivery), so a record only ever moves up this list.
 */
export const FEEDBACK_ORDER: readonly DeliveryStatus[] = Object.freeze(['sent', ...FEEDBACK_STATUSES]);

/**
 * Whether a write of `next` keeps a record's `current` status: a worker status (queued, sent,
 * failed, excluded) never replaces a feedback status (see `DeliveryRepository.record`).
 */
export function keepsStatus(current: DeliveryStatus | undefined, next: DeliveryStatus): boolean {
  return current !== undefined && FEEDBACK_STATUSES.includes(current) && !FEEDBACK_STATUSES.includes(next);
}

/**
 * The statuses a feedback event with `status` may move a record from: those of the funnel ranked
 * below it. Throws for a status that is not a feedback event (`sent` opens the funnel but is
 * recorded by the delivery worker, never reported as feedback).
 */
export function statusesAdvancedBy(status: DeliveryStatus): readonly DeliveryStatus[] {
  const rank = FEEDBACK_ORDER.indexOf(status);
  if (rank < 1) throw new Error(`"${status}" is not a feedback status.`);
  return FEEDBACK_ORDER.slice(0, rank);
}

/** The fields of a stored record that a feedback outcome reports, as either adapter reads them. */
export interface FeedbackTarget {
  executionId: string;
  campaignId: string;
  channel: Channel;
  address?: string | null;
  status: DeliveryStatus;
  reason?: string | null;
}

/** The outcome for a record found as `previous`: `applied` is the event written, if one was. */
export function feedbackOutcome(previous: FeedbackTarget, applied?: DeliveryEvent): FeedbackOutcome {
  const changed = applied !== undefined;
  const after = applied ?? previous;
  return {
    found: true,
    executionId: previous.executionId,
    campaignId: previous.campaignId,
    channel: previous.channel,
    ...(previous.address != null ? { address: previous.address } : {}),
    previousStatus: previous.status,
    ...(previous.reason != null ? { previousReason: previous.reason } : {}),
    status: after.status,
    ...(after.reason != null ? { reason: after.reason } : {}),
    changed,
  };
}
