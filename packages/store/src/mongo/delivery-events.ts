import type { DeliveryEvent } from '@herald/contracts';
import { toDate, toIso } from './dates';
import type { DeliveryEventDoc } from './delivery.model';

/** Converting a delivery's history events between entity and document (BSON date). */
export function toDeliveryEvent(doc: DeliveryEventDoc): DeliveryEvent {
  return {
    status: doc.status,
    at: toIso(doc.at),
    ...(doc.reason != null ? { reason: doc.reason } : {}),
    ...(doc.detail != null ? { detail: doc.detail } : {}),
  };
}

export function toDeliveryEventDoc(event: DeliveryEvent): DeliveryEventDoc {
  return {
    status: event.status,
    at: toDate(event.at, '/event/at'),
    ...(event.reason !== undefined ? { reason: event.reason } : {}),
    ...(event.detail !== undefined ? { detail: event.detail } : {}),
  };
}
