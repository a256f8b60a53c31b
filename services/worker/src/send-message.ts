import { PermanentDeliveryError } from '@herald/errors';
import {
  MOBILE_PUSH_MAX_PAYLOAD_BYTES,
  mobilePushPayloadBytes,
  mobilePushPayloadFits,
} from '@herald/channels';
import type { MessageToSend, PushToSend } from '@herald/messages';
import type { DeliveryKey } from '@herald/store';
import type { DeviceTarget, OutboundMessage, Profile, PushTarget } from '@herald/contracts';
import type { DeliveryDeps } from './delivery-deps';

/** Code a push adapter gives to a subscription or device token the provider no longer knows. */
const SUBSCRIPTION_GONE = 'subscription-gone';

/** Refusals that mean the stored subscription itself can never be delivered to: it is removed. */
const UNUSABLE_SUBSCRIPTION: ReadonlySet<string> = new Set([SUBSCRIPTION_GONE, 'invalid-subscription']);

type PushDestination = { subscription: PushTarget } | { device: DeviceTarget };

/**
 * Sends the message and returns the provider ids. A push recipient with several devices (browsers
 * first, then mobile app installs) gets one message per device: the first keeps the delivery id,
 * the others add `-s<n>` (the outbox rewrites the same files on a retry). Push services do not
 * deduplicate, so a retry after a transient failure on a later device pushes again to the earlier
 * ones: at most one duplicate per device per attempt. A device that refuses for good is skipped
 * (and removed from the profile when it is gone or malformed); the send fails only when no
 * device accepted it.
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
  const { subscriptions, devices, ...rest } = message;
  assertFitsDevices(message);
  const destinations: PushDestination[] = [
    ...subscriptions.map((subscription) => ({ subscription })),
    ...devices.map((device) => ({ device })),
  ];
  const providerIds: string[] = [];
  let lastRefusal: PermanentDeliveryError | undefined;
  for (const [index, destination] of destinations.entries()) {
    const outbound: OutboundMessage = {
      ...rest,
      ...ids,
      deliveryId: index === 0 ? key.id : `${key.id}-s${index}`,
      ...destination,
    };
    try {
      providerIds.push((await deps.adapter.send(outbound)).providerMessageId);
    } catch (error) {
      // A device that refuses for good must not keep the recipient's other devices from getting it.
      if (!(error instanceof PermanentDeliveryError)) throw error;
      lastRefusal = error;
      if (profile && UNUSABLE_SUBSCRIPTION.has(error.code)) {
        await removeDestination(deps, key.sandbox, profile.id, destination);
        deps.logger.info(
          { deliveryId: key.id, profileId: profile.id, reason: error.code },
          'removed a push subscription or device token that cannot be used',
        );
      }
    }
  }
  if (providerIds.length === 0 && lastRefusal) {
    throw lastRefusal.code === SUBSCRIPTION_GONE
      ? new PermanentDeliveryError(SUBSCRIPTION_GONE, 'every push device of the recipient is gone')
      : lastRefusal;
  }
  return providerIds.join(',');
}

/**
 * A rendering over a mobile provider's limit fails the recipient for good before any device gets
 * it: every retry would render the same content (the outbox would otherwise take it).
 */
function assertFitsDevices(message: PushToSend): void {
  const tooLarge = message.devices.find((device) => !mobilePushPayloadFits(message.payload, device.platform));
  if (!tooLarge) return;
  throw new PermanentDeliveryError(
    'push-payload-too-large',
    `the rendered push payload is ${mobilePushPayloadBytes(message.payload, tooLarge.platform)} bytes; ${tooLarge.platform} takes at most ${MOBILE_PUSH_MAX_PAYLOAD_BYTES}`,
  );
}

async function removeDestination(
  deps: Pick<DeliveryDeps, 'store'>,
  sandbox: string,
  profileId: string,
  destination: PushDestination,
): Promise<void> {
  if ('subscription' in destination) {
    await deps.store.profiles.removePushSubscription(sandbox, profileId, destination.subscription.endpoint);
  } else {
    await deps.store.profiles.removePushToken(sandbox, profileId, destination.device);
  }
}
