import type { CampaignVersion, ExclusionReason, Profile, Recipient } from '@herald/contracts';
import { PermanentDeliveryError, ValidationError } from '@herald/errors';
import {
  buildMessage,
  chooseLocale,
  renderContent,
  renderDataOf,
  type MessageToSend,
  type RenderedContent,
} from '@herald/messages';
import type { Store } from '@herald/store';
import type { TemplateEngine } from '@herald/templating';
import { smsLengthAsSent, type SmsLengthAsSent } from '../campaigns/sms-segments';
import type { ContextValidators } from '../triggers/context-validators';
import type { PreviewRequest } from './campaign-tools.schema';
import { campaignVersion, contextFor } from './tool-inputs';

/** A message as a preview shows it: push subscriptions by endpoint only (their keys are secrets). */
export type PreviewMessage =
  | Exclude<MessageToSend, { channel: 'push' }>
  | (Omit<Extract<MessageToSend, { channel: 'push' }>, 'subscriptions'> & {
      subscriptions: Array<{ endpoint: string }>;
    });

export interface ToolError {
  code: string;
  message: string;
}

/**
 * What one locale would give: the message to send; or an exclusion, with the content it would
 * have had; or the error that would fail the recipient.
 */
export type LocalePreview =
  | { locale: string; outcome: 'send'; message: PreviewMessage; smsLength?: SmsLengthAsSent }
  | {
      locale: string;
      outcome: 'excluded';
      reason: ExclusionReason;
      content?: RenderedContent;
      error?: ToolError;
    }
  | { locale: string; outcome: 'failed'; error: ToolError };

export interface CampaignPreview {
  campaignId: string;
  version: number;
  channel: CampaignVersion['definition']['channel'];
  /** The context rendered with; generated from the context schema when none was given. */
  context: Record<string, unknown>;
  contextGenerated: boolean;
  /** The locale a trigger for this recipient would use. */
  chosenLocale: string;
  locales: LocalePreview[];
}

export interface PreviewDeps {
  store: Store;
  templates: TemplateEngine;
  contextValidators: ContextValidators;
  /** TRACKER_PUBLIC_URL: an SMS is measured with its links shortened as the worker sends them. */
  trackerBaseUrl?: string;
}

/** `POST /campaigns/{id}/preview`: renders with the same code the worker sends with. */
export async function previewCampaign(
  deps: PreviewDeps,
  sandbox: string,
  campaignId: string,
  request: PreviewRequest,
  held: readonly string[],
): Promise<CampaignPreview> {
  const version = await campaignVersion(deps.store, sandbox, campaignId, request.version, held);
  const context = contextFor(deps.contextValidators, version, request.context, '/context');
  const locales = localesToPreview(version, request.locale);
  const { recipient, profile, missing } = await previewRecipient(
    deps.store,
    sandbox,
    version,
    request,
    context,
  );
  const previews: LocalePreview[] = [];
  for (const locale of locales) {
    previews.push(await previewLocale(deps, version, recipient, profile, locale, missing));
  }
  return {
    campaignId: version.campaignId,
    version: version.version,
    channel: version.definition.channel,
    context,
    contextGenerated: request.context === undefined,
    chosenLocale: chooseLocale(version.definition.content, recipient, profile),
    locales: previews,
  };
}

function localesToPreview(version: CampaignVersion, asked: string | undefined): string[] {
  const available = Object.keys(version.definition.content.locales);
  if (asked === undefined) return available;
  if (!available.includes(asked)) {
    throw new ValidationError('unknown-locale', `The campaign has no locale ${asked}.`, [
      { path: '/locale', code: 'unknown-locale', message: `must be one of ${available.join(', ')}` },
    ]);
  }
  return [asked];
}

interface PreviewRecipient {
  recipient: Recipient;
  profile: Profile | null;
  /** Set when a trigger would exclude the recipient before rendering (unknown profile). */
  missing?: ExclusionReason;
}

/**
 * The recipient a trigger would carry. A profile named by identity is looked up as the worker
 * would: when it does not exist, a campaign that creates profiles renders with a new empty one,
 * and one that does not excludes the recipient.
 */
async function previewRecipient(
  store: Store,
  sandbox: string,
  version: CampaignVersion,
  request: PreviewRequest,
  context: Record<string, unknown>,
): Promise<PreviewRecipient> {
  const given = request.profile;
  const channelData = request.channelData ? { channelData: request.channelData } : {};
  if (given && 'identity' in given) {
    const { namespace, id } = given.identity;
    const recipient: Recipient = { type: 'aep', userId: id, namespace, context, ...channelData };
    const stored = await store.profiles.findByIdentity(sandbox, given.identity);
    if (stored) return { recipient, profile: stored };
    if (version.definition.createProfiles) {
      return { recipient, profile: transientProfile(sandbox, { identities: [given.identity] }) };
    }
    return { recipient, profile: null, missing: 'profile-not-found' };
  }
  if (given) {
    const profile = transientProfile(sandbox, given.inline);
    const first = profile.identities[0];
    const recipient: Recipient = {
      type: 'aep',
      userId: first?.id ?? 'preview',
      namespace: first?.namespace ?? version.definition.identityNamespace,
      context,
      ...channelData,
    };
    return { recipient, profile };
  }
  return {
    recipient: {
      type: 'external',
      userId: 'preview',
      namespace: version.definition.identityNamespace,
      context,
      ...channelData,
    },
    profile: null,
  };
}

/** A profile that exists only for this preview. */
function transientProfile(
  sandbox: string,
  fields: Extract<PreviewRequest['profile'], { inline: unknown }>['inline'],
): Profile {
  const now = new Date().toISOString();
  return {
    id: 'preview',
    sandbox,
    identities: fields.identities ?? [],
    attributes: fields.attributes ?? {},
    ...(fields.preferredLanguage ? { preferredLanguage: fields.preferredLanguage } : {}),
    consents: { marketing: {} },
    pushSubscriptions: fields.pushSubscriptions ?? [],
    pushTokens: [],
    createdAt: now,
    updatedAt: now,
  };
}

async function previewLocale(
  { templates, trackerBaseUrl }: PreviewDeps,
  version: CampaignVersion,
  recipient: Recipient,
  profile: Profile | null,
  locale: string,
  missing: ExclusionReason | undefined,
): Promise<LocalePreview> {
  try {
    const built = missing
      ? ({ kind: 'excluded', locale, reason: missing } as const)
      : await buildMessage(templates, { version, recipient, profile, locale });
    if (built.kind === 'message') {
      const message = shown(built.message);
      return {
        locale,
        outcome: 'send',
        message,
        ...(message.channel === 'sms'
          ? { smsLength: smsLengthAsSent(message.body, version.definition.channelConfig.sms, trackerBaseUrl) }
          : {}),
      };
    }
    return {
      locale,
      outcome: 'excluded',
      reason: built.reason,
      ...(await excludedContent(templates, version, recipient, profile, locale)),
    };
  } catch (error) {
    if (error instanceof PermanentDeliveryError) {
      return { locale, outcome: 'failed', error: { code: error.code, message: error.message } };
    }
    throw error;
  }
}

/** What an excluded recipient would have read, so authors still see the content. */
async function excludedContent(
  templates: TemplateEngine,
  version: CampaignVersion,
  recipient: Recipient,
  profile: Profile | null,
  locale: string,
): Promise<{ content: RenderedContent } | { error: ToolError }> {
  try {
    return { content: await renderContent(templates, version, locale, renderDataOf(recipient, profile)) };
  } catch (error) {
    if (error instanceof PermanentDeliveryError)
      return { error: { code: error.code, message: error.message } };
    throw error;
  }
}

function shown(message: MessageToSend): PreviewMessage {
  if (message.channel !== 'push') return message;
  return { ...message, subscriptions: message.subscriptions.map(({ endpoint }) => ({ endpoint })) };
}
