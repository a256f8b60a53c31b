import {
  assertHeaderSafe,
  type CampaignVersion,
  type EmailAddress,
  type DeviceTarget,
  type ExclusionReason,
  type Profile,
  type PushPayload,
  type PushTarget,
  type PushUrgency,
  type Recipient,
} from '@herald/contracts';
import { PermanentDeliveryError } from '@herald/errors';
import type { TemplateEngine } from '@herald/templating';
import { chooseLocale } from './choose-locale';
import {
  NO_SERVICE_LINKS,
  overlay,
  renderEmail,
  renderPush,
  renderSms,
  type RenderData,
  type RenderedEmail,
  type ServiceLinks,
} from './render-message';
import { smsDefaultRegion } from './phone-number';
import { resolveEmailAddress, resolveSmsNumber } from './resolve-address';
import { resolvePushTargets } from './resolve-push-targets';

export interface EmailToSend {
  channel: 'email';
  from: EmailAddress;
  replyTo?: string;
  to: string;
  subject: string;
  html?: string;
  text?: string;
  /** `List-Unsubscribe` and `List-Unsubscribe-Post` of marketing e-mail (added by the worker). */
  headers?: Record<string, string>;
}

export interface SmsToSend {
  channel: 'sms';
  from: string;
  to: string;
  body: string;
}

export interface PushToSend {
  channel: 'push';
  /** Every browser of the recipient; one push message goes to each. */
  subscriptions: PushTarget[];
  /** Every mobile app install of the recipient (FCM, APNs); one push message goes to each. */
  devices: DeviceTarget[];
  payload: PushPayload;
  ttlSeconds?: number;
  urgency?: PushUrgency;
}

/** One recipient's message, rendered and addressed, before it gets delivery ids. */
export type MessageToSend = EmailToSend | SmsToSend | PushToSend;

/**
 * Where a message goes: the e-mail address, the phone number, or every push endpoint and device
 * token. The first is what a delivery record keeps; suppression is checked on each.
 */
export function messageAddresses(message: MessageToSend): string[] {
  return message.channel === 'push'
    ? [...message.subscriptions.map((s) => s.endpoint), ...message.devices.map((d) => d.token)]
    : [message.to];
}

/**
 * Without the suppressed push subscriptions and device tokens (other channels have one address:
 * excluded whole). The worker sends this, and a dry run shows it.
 */
export function withoutAddresses(message: MessageToSend, suppressed: ReadonlySet<string>): MessageToSend {
  if (message.channel !== 'push' || suppressed.size === 0) return message;
  return {
    ...message,
    subscriptions: message.subscriptions.filter((s) => !suppressed.has(s.endpoint)),
    devices: message.devices.filter((d) => !suppressed.has(d.token)),
  };
}

export type BuiltMessage =
  | { kind: 'message'; locale: string; message: MessageToSend }
  | { kind: 'excluded'; locale: string; reason: ExclusionReason };

export interface MessageInput {
  version: CampaignVersion;
  recipient: Recipient;
  /** The stored (or inline) profile; null for `external` recipients. */
  profile: Profile | null;
  /** Forces a locale of the campaign instead of choosing one (previews of every locale). */
  locale?: string;
  /**
   * The sandbox's `sms.defaultRegion`: phone numbers without `+` are read in it, unless the
   * campaign's SMS settings name their own.
   */
  sandboxSmsRegion?: string;
  /** The delivery's tracker links; none (empty) for previews and dry runs. */
  links?: ServiceLinks;
}

/**
 * What one recipient is sent: address for the campaign's channel → locale → rendered content
 * merged with the channel settings. The worker and the preview both build messages here, so a
 * preview shows exactly what a trigger sends. Throws PermanentDeliveryError when the campaign
 * cannot produce the message (`channel-config-missing`, `missing-content`, `render-failed`).
 */
export async function buildMessage(templates: TemplateEngine, input: MessageInput): Promise<BuiltMessage> {
  const { version, recipient, profile } = input;
  const definition = version.definition;
  const locale = input.locale ?? chooseLocale(definition.content, recipient, profile);
  const data = renderDataOf(recipient, profile, input.links);
  const config = definition.channelConfig;
  switch (definition.channel) {
    case 'email': {
      const email = config.email;
      if (!email) throw missingConfig('e-mail');
      const to = resolveEmailAddress(recipient, profile);
      if (!to) return { kind: 'excluded', locale, reason: 'no-address' };
      const content = await renderEmail(templates, version, locale, data);
      // Checked here, not only in the adapters, so preview and test-send refuse what a send would.
      assertHeaderSafe('subject', content.subject);
      const blank = blankEmail(content);
      if (blank) return { kind: 'excluded', locale, reason: blank };
      return {
        kind: 'message',
        locale,
        message: {
          ...content,
          from: { address: email.fromAddress, ...(email.fromName ? { name: email.fromName } : {}) },
          ...(email.replyTo ? { replyTo: email.replyTo } : {}),
          to,
        },
      };
    }
    case 'sms': {
      const sms = config.sms;
      if (!sms) throw missingConfig('SMS');
      const to = resolveSmsNumber(recipient, profile, smsDefaultRegion(definition, input.sandboxSmsRegion));
      if (!to) return { kind: 'excluded', locale, reason: 'no-address' };
      const content = await renderSms(templates, version, locale, data);
      if (isBlank(content.body)) return { kind: 'excluded', locale, reason: 'empty-content' };
      if (content.body.length > SMS_MAX_CHARACTERS) {
        return { kind: 'excluded', locale, reason: 'sms-too-long' };
      }
      return {
        kind: 'message',
        locale,
        message: { channel: 'sms', from: sms.sender, to, body: content.body },
      };
    }
    case 'push': {
      const push = config.push ?? {};
      const resolved = resolvePushTargets(recipient, profile, push.appId);
      if (resolved.kind === 'excluded') return { kind: 'excluded', locale, reason: resolved.reason };
      const content = await renderPush(templates, version, locale, data);
      return {
        kind: 'message',
        locale,
        message: {
          channel: 'push',
          ...resolved.targets,
          payload: content.payload,
          ...(push.ttlSeconds !== undefined ? { ttlSeconds: push.ttlSeconds } : {}),
          ...(push.urgency ? { urgency: push.urgency } : {}),
        },
      };
    }
  }
}

/**
 * The longest SMS body providers take: Twilio refuses more than 1,600 characters (error 21617),
 * whatever the segments. Counted in UTF-16 units (an emoji is two), the stricter reading, so
 * nothing sent can be refused for length. Activation refuses a sample over 10 segments; a call's context can still
 * render longer, and is excluded here rather than sent to a certain refusal.
 */
const SMS_MAX_CHARACTERS = 1600;

function isBlank(text: string | undefined): boolean {
  return text === undefined || text.trim() === '';
}

/** Why a rendered e-mail cannot go out (providers refuse a blank subject or a message without content). */
function blankEmail(content: RenderedEmail): ExclusionReason | undefined {
  if (isBlank(content.subject)) return 'empty-subject';
  if (isBlank(content.html) && isBlank(content.text)) return 'empty-content';
  return undefined;
}

function missingConfig(channel: string): PermanentDeliveryError {
  return new PermanentDeliveryError('channel-config-missing', `the campaign has no ${channel} settings`);
}

/** What templates see: the call's `profile` over the stored attributes, and the call's context. */
export function renderDataOf(
  recipient: Recipient,
  profile: Profile | null,
  links: ServiceLinks = NO_SERVICE_LINKS,
): RenderData {
  return {
    profile: overlay(profile?.attributes ?? {}, recipient.profile),
    context: recipient.context ?? {},
    herald: links,
  };
}
