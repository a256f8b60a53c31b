import type { Channel } from '@herald/contracts';
import type { DeliveryKey } from '@herald/store';

/** Keys of an execution's deliveries in sandbox `prod`, for tests that write records directly. */
export function deliveryKeys(executionId: string, campaignId: string, channel: Channel) {
  return (index: number): DeliveryKey => ({
    id: `${executionId}-r${index}`,
    sandbox: 'prod',
    executionId,
    campaignId,
    campaignVersion: 1,
    recipientIndex: index,
    channel,
  });
}
