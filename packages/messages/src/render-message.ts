import type { CampaignVersion, LocaleContent, PushPayload, TemplateField } from '@herald/contracts';
import { PermanentDeliveryError } from '@herald/errors';
import { TemplateError, type OutputMode, type TemplateEngine } from '@herald/templating';

export interface RenderedEmail {
  channel: 'email';
  subject: string;
  html?: string;
  text?: string;
}

export interface RenderedSms {
  channel: 'sms';
  body: string;
}

export interface RenderedPush {
  channel: 'push';
  payload: PushPayload;
}

/** The rendered content fields of one message, by channel. */
export type RenderedContent = RenderedEmail | RenderedSms | RenderedPush;

export interface RenderData {
  profile: Record<string, unknown>;
  context: Record<string, unknown>;
  /** Herald's own per-delivery links, as `{{ herald.unsubscribeUrl }}` and `{{ herald.mirrorUrl }}`. */
  herald: ServiceLinks;
}

/**
 * A delivery's tracker links. Empty strings where there is no delivery to link to (previews, dry
 * runs) or no tracker configured, so a template renders the same way everywhere.
 */
export interface ServiceLinks {
  unsubscribeUrl: string;
  mirrorUrl: string;
}

export const NO_SERVICE_LINKS: ServiceLinks = Object.freeze({ unsubscribeUrl: '', mirrorUrl: '' });

/**
 * Renders the content of one locale for the campaign's channel. Templates are cached per
 * (sandbox, campaign, version, locale, field): versions are immutable, so a cached template
 * never goes stale. A missing field or a template error fails the recipient for good
 * (PermanentDeliveryError `missing-content` / `render-failed`).
 */
export function renderContent(
  templates: TemplateEngine,
  version: CampaignVersion,
  locale: string,
  data: RenderData,
): Promise<RenderedContent> {
  switch (version.definition.channel) {
    case 'email':
      return renderEmail(templates, version, locale, data);
    case 'sms':
      return renderSms(templates, version, locale, data);
    case 'push':
      return renderPush(templates, version, locale, data);
  }
}

export async function renderEmail(
  templates: TemplateEngine,
  version: CampaignVersion,
  locale: string,
  data: RenderData,
): Promise<RenderedEmail> {
  const render = fieldRenderer(templates, version, locale, data);
  const [subject, html, text] = await Promise.all([
    render.required('subject', 'text'),
    render.optional('html', 'html'),
    render.optional('text', 'text'),
  ]);
  return {
    channel: 'email',
    subject: subject.trim(),
    ...(html !== undefined ? { html } : {}),
    ...(text !== undefined ? { text } : {}),
  };
}

export async function renderSms(
  templates: TemplateEngine,
  version: CampaignVersion,
  locale: string,
  data: RenderData,
): Promise<RenderedSms> {
  const render = fieldRenderer(templates, version, locale, data);
  return { channel: 'sms', body: (await render.required('body', 'text')).trim() };
}

/** Push content; an empty or absent URL or icon falls back to the campaign's defaults. */
export async function renderPush(
  templates: TemplateEngine,
  version: CampaignVersion,
  locale: string,
  data: RenderData,
): Promise<RenderedPush> {
  const defaults = version.definition.channelConfig.push ?? {};
  const render = fieldRenderer(templates, version, locale, data);
  const [title, body, url, icon, extra] = await Promise.all([
    render.required('title', 'text'),
    render.required('body', 'text'),
    render.optional('url', 'text'),
    render.optional('icon', 'text'),
    render.data(),
  ]);
  const finalUrl = nonEmpty(url) ?? defaults.defaultUrl;
  const finalIcon = nonEmpty(icon) ?? defaults.defaultIcon;
  return {
    channel: 'push',
    payload: {
      title: title.trim(),
      body: body.trim(),
      ...(finalUrl !== undefined ? { url: finalUrl } : {}),
      ...(finalIcon !== undefined ? { icon: finalIcon } : {}),
      ...(extra !== undefined ? { data: extra } : {}),
    },
  };
}

interface FieldRenderer {
  required(field: TemplateField, mode: OutputMode): Promise<string>;
  optional(field: TemplateField, mode: OutputMode): Promise<string | undefined>;
  data(): Promise<Record<string, string> | undefined>;
}

function fieldRenderer(
  templates: TemplateEngine,
  version: CampaignVersion,
  locale: string,
  data: RenderData,
): FieldRenderer {
  const content: LocaleContent | undefined = version.definition.content.locales[locale];
  if (!content) throw new PermanentDeliveryError('missing-content', `the campaign has no locale ${locale}`);
  const prefix = `${version.sandbox}/${version.campaignId}/v${version.version}/${locale}`;
  // One budget for the whole message: its fields together get the engine's time limit.
  const budget = templates.budget();
  const render = async (name: string, source: string, mode: OutputMode): Promise<string> => {
    try {
      return await templates.render(`${prefix}/${name}`, source, data, mode, budget);
    } catch (error) {
      if (error instanceof TemplateError) {
        throw new PermanentDeliveryError('render-failed', `${locale}/${name}: ${error.message}`, {
          cause: error,
        });
      }
      throw error;
    }
  };
  return {
    required: async (field, mode) => {
      const source = content[field];
      if (source === undefined) {
        throw new PermanentDeliveryError('missing-content', `locale ${locale} has no ${field}`);
      }
      return render(field, source, mode);
    },
    optional: async (field, mode) => {
      const source = content[field];
      return source === undefined ? undefined : render(field, source, mode);
    },
    data: async () => {
      if (!content.data) return undefined;
      const entries = await Promise.all(
        Object.entries(content.data).map(
          async ([key, source]) => [key, await render(`data/${key}`, source, 'text')] as const,
        ),
      );
      return Object.fromEntries(entries);
    },
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** Profile attributes given in the call overlay the stored ones, for rendering only. */
export function overlay(
  stored: Record<string, unknown>,
  given: Record<string, unknown> | undefined,
): Record<string, unknown> {
  if (!given) return stored;
  const result: Record<string, unknown> = { ...stored };
  for (const [key, value] of Object.entries(given)) {
    const current = result[key];
    result[key] = isPlainObject(current) && isPlainObject(value) ? overlay(current, value) : value;
  }
  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
