import { PermanentDeliveryError } from '@herald/errors';
import type { MessageToSend } from '@herald/messages';
import type { DeliveryKey } from '@herald/store';
import type { OutboundMessage, Profile } from '@herald/contracts';
import type { DeliveryDeps } from './delivery-deps';

/** Code a push adapter gives to a subscription the push service no longer knows (404/410). */
const SUBSCRIPTION_GONE = 'subscription-gone';

/** Refusals that mean the stored subscription itself can never be delivered to: it is removed. */
const UNUSABLE_SUBSCRIPTION: ReadonlySet<string> = new Set([SUBSCRIPTION_GONE, 'invalid-subscription']);

/**
 * Sends the message and returns the provider ids. A push recipient with several devices gets one
 * message per subscription: the first keeps the delivery id, the others add `-s<n>` (the outbox
 * rewrites the same files on a retry). Push services do not deduplicate, so a retry after a
 * transient failure on a later device pushes again to the earlier ones: at most one duplicate per
 * device per attempt. A device that refuses for good is skipped (and its subscription removed from
 * the profile when it is gone or malformed); the send fails only when no device accepted it.
 */
export async function sendMessage(
  deps: Pick<DeliveryDeps, 'adapter' | 'store' | 'logger'>,
  message: MessageToSend,
  key: DeliveryKey,
  profile: Profile | null,
): Promise<string> {
  const ids = { deliveryId: key.id, executionId: key.executionId, sandbox: key.sandbox };
  if (message.channel !== 'push') {
    return (await deps.adapter.send({ ...message, ...ids })).providerMessageId;
  }
  const { subscriptions, ...rest } = message;
  const providerIds: string[] = [];
  let lastRefusal: PermanentDeliveryError | undefined;
  for (const [index, subscription] of subscriptions.entries()) {
    const outbound: OutboundMessage = {
      ...rest,
      ...ids,
      deliveryId: index === 0 ? key.id : `${key.id}-s${index}`,
      subscription,
    };
    try {
      providerIds.push((await deps.adapter.send(outbound)).providerMessageId);
    } catch (error) {
      // A device that refuses for good must not keep the recipient's other devices from getting it.
      if (!(error instanceof PermanentDeliveryError)) throw error;
      lastRefusal = error;
      if (profile && UNUSABLE_SUBSCRIPTION.has(error.code)) {
        await deps.store.profiles.removePushSubscription(key.sandbox, profile.id, subscription.endpoint);
        deps.logger.info(
          { deliveryId: key.id, profileId: profile.id, reason: error.code },
          'removed a push subscription that cannot be used',
        );
      }
    }
  }
  if (providerIds.length === 0 && lastRefusal) {
    throw lastRefusal.code === SUBSCRIPTION_GONE
      ? new PermanentDeliveryError(SUBSCRIPTION_GONE, 'every push subscription of the recipient is gone')
      : lastRefusal;
  }
  return providerIds.join(',');
}
