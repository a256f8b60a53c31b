import type { CampaignDefinition } from '@herald/contracts';
import { NO_SERVICE_LINKS, type EmailToSend, type ServiceLinks } from '@herald/messages';
import type { DeliveryKey, MirrorPage, MirrorPageRepository } from '@herald/store';
import {
  instrumentEmailHtml,
  MIRROR_LIFETIME_SECONDS,
  serviceLinks,
  type TrackingContext,
} from '@herald/tracking';
import { trackingContext, type TrackerLinks } from './tracker-links';

/** RFC 8058: the header that tells a mail client it may unsubscribe with one POST, no page. */
const ONE_CLICK = 'List-Unsubscribe=One-Click';

/**
 * Herald's own engagement tracking of one e-mail delivery: the links its template can name
 * (`herald.unsubscribeUrl`, `herald.mirrorUrl`), then, after rendering, tracked links and the open
 * pixel (as the campaign's `tracking` asks), the unsubscribe headers of marketing e-mail, and the
 * mirror page when the content links to it. Transactional e-mail carries no unsubscribe header.
 */
export class EmailTracking {
  constructor(
    private readonly tracker: TrackerLinks | undefined,
    private readonly mirrorPages: MirrorPageRepository,
  ) {}

  /**
   * The delivery's links for its template; empty when no tracker is configured. The recipient's
   * profile goes into the unsubscribe link, which then outlives the delivery record.
   */
  links(
    definition: CampaignDefinition,
    key: DeliveryKey,
    locale: string,
    profileId: string | undefined,
  ): ServiceLinks {
    const context = this.context(key, locale, profileId);
    if (!context || !(definition.type === 'marketing' || namesServiceLinks(definition, locale))) {
      // Two HMACs a message saved where no header and no template names them (most receipts).
      return NO_SERVICE_LINKS;
    }
    return serviceLinks(context);
  }

  /**
   * The message as sent, instrumented and with its headers, and the mirror page to keep when the
   * content links to it (kept by `keepMirror` once the message is sure to go out).
   */
  prepare(
    message: EmailToSend,
    definition: CampaignDefinition,
    key: DeliveryKey,
    locale: string,
    links: ServiceLinks,
  ): { message: EmailToSend; mirror?: MirrorPage } {
    const context = this.context(key, locale);
    if (!context) return { message };
    let sent = message;
    if (definition.type === 'marketing') {
      sent = {
        ...sent,
        headers: {
          ...sent.headers,
          'List-Unsubscribe': `<${links.unsubscribeUrl}>`,
          'List-Unsubscribe-Post': ONE_CLICK,
        },
      };
    }
    const html = message.html;
    if (html === undefined) return { message: sent };
    // Only content that links to its mirror is kept: a page per delivery is a store write per send.
    const mirror: MirrorPage | undefined =
      links.mirrorUrl !== '' && html.includes(links.mirrorUrl)
        ? {
            sandbox: key.sandbox,
            deliveryId: key.id,
            subject: message.subject,
            // As rendered, before tracking: a reader of the page is not another open or click.
            html,
            expiresAt: new Date(
              ((context.nowSeconds ?? Math.floor(Date.now() / 1000)) + MIRROR_LIFETIME_SECONDS) * 1000,
            ).toISOString(),
          }
        : undefined;
    const tracking = definition.channelConfig.email?.tracking;
    const tracked =
      tracking && (tracking.opens || tracking.clicks)
        ? { ...sent, html: instrumentEmailHtml(html, tracking, context).html }
        : sent;
    return { message: tracked, ...(mirror ? { mirror } : {}) };
  }

  /** Stores the mirror page, written just before the send so an excluded message leaves none. */
  keepMirror(page: MirrorPage): Promise<void> {
    return this.mirrorPages.put(page);
  }

  private context(key: DeliveryKey, locale: string, profileId?: string): TrackingContext | undefined {
    return this.tracker ? trackingContext(this.tracker, key, locale, profileId) : undefined;
  }
}

/** Whether the locale's e-mail content uses `{{ herald.… }}` (a substring test, no parse). */
function namesServiceLinks(definition: CampaignDefinition, locale: string): boolean {
  const content = definition.content.locales[locale];
  return [content?.subject, content?.html, content?.text].some((field) => field?.includes('herald.'));
}
