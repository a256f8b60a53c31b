import type { FeedbackEvent } from '@herald/contracts';
import type { EngagementEvent } from './engagement.ports';

/**
 * The customers' feedback-webhook event of an engagement event: the same id (its key), so a
 * recorder that emits again after a retry posts nothing twice. Every engagement kind has its
 * `message.<kind>` type.
 */
export function feedbackEventOf(event: EngagementEvent): FeedbackEvent {
  return {
    id: event.key,
    type: `message.${event.kind}`,
    sandbox: event.sandbox,
    campaignId: event.campaignId,
    executionId: event.executionId,
    deliveryId: event.deliveryId,
    channel: event.channel,
    at: event.at,
    ...(event.reason === undefined ? {} : { reason: event.reason }),
    ...(event.linkId === undefined ? {} : { linkId: event.linkId }),
    ...(event.label === undefined ? {} : { label: event.label }),
    ...(event.machine === undefined ? {} : { machine: event.machine }),
  };
}
