import type { DeliveryEvent } from './delivery';

/** The suppressions a provider's report can call for by itself: a hard bounce, or the person reporting spam. */
export type FeedbackSuppression = 'hard-bounce' | 'spam-complaint';

/** What a provider reported about one of Herald's deliveries, as a channel's feedback parser reads it. */
export interface ProviderFeedback {
  sandbox: string;
  deliveryId: string;
  /** The address the provider names; the delivery record's own address is preferred. */
  address?: string;
  /** A step along the funnel (delivered, bounced, opened, clicked), when the report is one. */
  event?: DeliveryEvent;
  /** The suppression the report calls for. */
  suppress?: FeedbackSuppression;
  /** A temporary refusal: it counts towards the address's run of soft bounces. */
  softBounce?: true;
  /**
   * The provider's own id of this event (SendGrid's `sg_event_id`): the same event posted again
   * (a retried webhook request) counts once, and two opens in the same second count twice.
   */
  eventId?: string;
}
