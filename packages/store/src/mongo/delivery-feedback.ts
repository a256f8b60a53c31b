import type { UpdateQuery } from 'mongoose';
import type { DeliveryEvent } from '@herald/contracts';
import { feedbackOutcome, statusesAdvancedBy } from '../delivery-feedback';
import type { FeedbackOutcome } from '../ports';
import { toDeliveryEventDoc } from './delivery-events';
import type { DeliveryDoc, DeliveryModel } from './delivery.model';

type FeedbackDoc = Pick<
  DeliveryDoc,
  'executionId' | 'campaignId' | 'channel' | 'address' | 'status' | 'reason'
>;

/** Only what the outcome reports: the history can be long and is not needed. */
const FEEDBACK_FIELDS = {
  executionId: 1,
  campaignId: 1,
  channel: 1,
  address: 1,
  status: 1,
  reason: 1,
} as const;

/** `DeliveryRepository.recordFeedback` on MongoDB. */
export async function applyFeedback(
  deliveries: DeliveryModel,
  sandbox: string,
  id: string,
  event: DeliveryEvent,
): Promise<FeedbackOutcome> {
  const from = statusesAdvancedBy(event.status);
  const update: UpdateQuery<DeliveryDoc> = {
    $set: {
      status: event.status,
      ...(event.reason !== undefined ? { reason: event.reason } : {}),
      updatedAt: new Date(),
    },
    $push: { history: toDeliveryEventDoc(event) },
  };
  // The reason belongs to the status: an event without one clears the previous one.
  if (event.reason === undefined) update.$unset = { reason: 1 };
  // The statuses in the filter make this a compare-and-set on one document: of two concurrent
  // events, the second matches only if the status the first one wrote still ranks below it.
  const previous = await deliveries
    .findOneAndUpdate({ _id: id, sandbox, status: { $in: [...from] } }, update, {
      returnDocument: 'before',
      projection: FEEDBACK_FIELDS,
    })
    .lean<FeedbackDoc>()
    .exec();
  if (previous) return feedbackOutcome(previous, event);
  // Nothing matched: either there is no such record or its status does not rank below the event.
  const current = await deliveries.findOne({ _id: id, sandbox }, FEEDBACK_FIELDS).lean<FeedbackDoc>().exec();
  return current ? feedbackOutcome(current) : { found: false };
}
