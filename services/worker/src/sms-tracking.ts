import type { CampaignDefinition } from '@herald/contracts';
import { TransientDeliveryError } from '@herald/errors';
import type { SmsToSend } from '@herald/messages';
import type { DeliveryKey, ShortLink, ShortLinkRepository } from '@herald/store';
import { shortenSmsLinks } from '@herald/tracking';
import { trackingContext, type TrackerLinks } from './tracker-links';

/**
 * SMS click tracking: when the campaign asks for it (`channelConfig.sms.tracking.clicks`) and a
 * tracker is configured, each http(s) link of the rendered body goes out as a short tracker link.
 * A code stands for a signed click token kept in the store (an SMS cannot carry a 190-character
 * token), written by `keep` just before the send, so an excluded message leaves none.
 */
export class SmsTracking {
  constructor(
    private readonly tracker: TrackerLinks | undefined,
    private readonly shortLinks: ShortLinkRepository,
  ) {}

  /** The message as sent, and the short links to keep before sending it (none: nothing to keep). */
  prepare(
    message: SmsToSend,
    definition: CampaignDefinition,
    key: DeliveryKey,
    locale: string,
  ): { message: SmsToSend; links: ShortLink[] } {
    if (!this.tracker || definition.channelConfig.sms?.tracking?.clicks !== true) {
      return { message, links: [] };
    }
    const shortened = shortenSmsLinks(message.body, trackingContext(this.tracker, key, locale));
    return {
      message: { ...message, body: shortened.text },
      links: shortened.links.map((link) => ({
        code: link.code,
        sandbox: key.sandbox,
        token: link.token,
        expiresAt: new Date(link.expiresAt * 1000).toISOString(),
      })),
    };
  }

  /**
   * Stores the links. A code already taken (another link drew it) would send this recipient to
   * someone else's link: the delivery is retried instead, and renders with new codes.
   */
  async keep(links: readonly ShortLink[]): Promise<void> {
    if (links.length === 0) return;
    const taken = await this.shortLinks.insertMany(links);
    if (taken.length > 0) {
      throw new TransientDeliveryError(
        'short-link-code-taken',
        `${taken.length} short link code(s) already taken; retrying with new codes`,
      );
    }
  }
}
