import type { CampaignVersion, TemplateField } from '@herald/contracts';
import { PermanentDeliveryError } from '@herald/errors';
import { TemplateError, type OutputMode, type TemplateEngine } from '@herald/templating';

export interface RenderedEmail {
  subject: string;
  html?: string;
  text?: string;
}

export interface RenderData {
  profile: Record<string, unknown>;
  context: Record<string, unknown>;
}

/** Renders the e-mail fields of one locale; a template error fails the recipient for good. */
export async function renderEmail(
  templates: TemplateEngine,
  version: CampaignVersion,
  locale: string,
  data: RenderData,
): Promise<RenderedEmail> {
  const content = version.definition.content.locales[locale];
  if (!content?.subject) {
    throw new PermanentDeliveryError('missing-content', `locale ${locale} has no e-mail subject`);
  }
  const render = async (field: TemplateField, mode: OutputMode): Promise<string | undefined> => {
    const source = content[field];
    if (source === undefined) return undefined;
    const key = `${version.sandbox}/${version.campaignId}/v${version.version}/${locale}/${field}`;
    try {
      return await templates.render(key, source, data, mode);
    } catch (error) {
      if (error instanceof TemplateError) {
        throw new PermanentDeliveryError('render-failed', `${locale}/${field}: ${error.message}`, {
          cause: error,
        });
      }
      throw error;
    }
  };
  const [subject, html, text] = await Promise.all([
    render('subject', 'text'),
    render('html', 'html'),
    render('text', 'text'),
  ]);
  return {
    subject: (subject ?? '').trim(),
    ...(html !== undefined ? { html } : {}),
    ...(text !== undefined ? { text } : {}),
  };
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
