import type { Channel } from '@herald/contracts';
import { normaliseAddress, type Store, type SuppressionReason } from '@herald/store';

/** What an unsubscription did; `unknown-delivery` changes nothing. */
export type UnsubscribeOutcome =
  'consent-withdrawn' | 'address-suppressed' | 'nothing-to-change' | 'unknown-delivery';

/** An external recipient's unsubscription stops marketing only: receipts still go out. */
const UNSUBSCRIBED: SuppressionReason = 'unsubscribed';

/** Recorded as the suppression's `source`. */
export const UNSUBSCRIBE_SOURCE = 'unsubscribe-link';

/**
 * Withdraws a delivery's recipient from marketing on the delivery's channel: the profile's
 * marketing consent for that channel, or, for an external recipient (an address with no profile,
 * or a profile deleted since), a suppression of the address. Idempotent: both writes are.
 */
export class Unsubscriber {
  constructor(private readonly store: Pick<Store, 'deliveries' | 'profiles' | 'suppressions'>) {}

  /**
   * `profileId` comes from the link's token when the recipient had a profile: then the delivery
   * record is not needed (it may be pruned long before the link expires).
   */
  async unsubscribe(
    sandbox: string,
    deliveryId: string,
    channel: Channel,
    profileId: string | undefined,
  ): Promise<UnsubscribeOutcome> {
    if (
      profileId !== undefined &&
      (await this.store.profiles.withdrawMarketingConsent(sandbox, profileId, channel))
    )
      return 'consent-withdrawn';
    // No profile (an external recipient, or one deleted since): the record says where it went.
    const delivery = await this.store.deliveries.get(sandbox, deliveryId);
    if (!delivery) return 'unknown-delivery';
    if (
      delivery.profileId !== undefined &&
      delivery.profileId !== profileId &&
      (await this.store.profiles.withdrawMarketingConsent(sandbox, delivery.profileId, delivery.channel))
    )
      return 'consent-withdrawn';
    if (delivery.address === undefined) return 'nothing-to-change';
    await this.store.suppressions.add({
      sandbox,
      channel: delivery.channel,
      address: normaliseAddress(delivery.channel, delivery.address),
      reason: UNSUBSCRIBED,
      source: UNSUBSCRIBE_SOURCE,
    });
    return 'address-suppressed';
  }
}
