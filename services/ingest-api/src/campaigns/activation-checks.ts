import { createHash } from 'node:crypto';
import type { CampaignDefinition, Channel, LocaleContent, TemplateField } from '@herald/contracts';
import type { FieldError } from '@herald/errors';
import {
  TemplateError,
  undeclaredContextPaths,
  type OutputMode,
  type TemplateEngine,
} from '@herald/templating';
import { fullFormats } from 'ajv-formats/dist/formats';
import { MOBILE_PUSH_MAX_PAYLOAD_BYTES, mobilePushPayloadBytes } from '@herald/channels';
import { sampleFromSchema } from './sample-context';
import { smsLengthAsSent, type SmsLengthAsSent } from './sms-segments';

/** Beyond this many parts an SMS is refused: carriers drop or mangle longer concatenations. */
export const MAX_SMS_SEGMENTS = 10;

export interface ActivationReport {
  /** Problems that keep the campaign from going live. */
  errors: FieldError[];
  /** Facts the author should see that do not block activation (SMS length). */
  warnings: FieldError[];
}

/** Content fields each channel needs in every locale (e-mail also needs html or text). */
const REQUIRED_CONTENT: Record<Channel, readonly TemplateField[]> = {
  email: ['subject'],
  sms: ['body'],
  push: ['title', 'body'],
};

/** Fields rendered as HTML (values escaped); every other field renders as text. */
const HTML_FIELDS: ReadonlySet<string> = new Set(['html']);

const isEmail = (value: string): boolean => {
  const email = fullFormats.email;
  return email instanceof RegExp && email.test(value);
};

interface TemplateSlot {
  locale: string;
  /** `subject`, `html`, … or `data.<key>`. */
  field: string;
  path: string;
  source: string;
}

/**
 * Every check a campaign must pass before it goes live, all at once so the author fixes
 * everything in one round: content complete and templates that parse, use only declared
 * context, and render with sample data generated from the context schema; channel settings;
 * schedule. SMS bodies are measured on the rendered sample, as sent: with click tracking on, each
 * link counts as the short link it becomes on `trackerBaseUrl` (unset: links as written).
 */
export async function activationChecks(
  definition: CampaignDefinition,
  templates: TemplateEngine,
  now: Date,
  trackerBaseUrl?: string,
): Promise<ActivationReport> {
  const report: ActivationReport = {
    errors: [
      ...localeProblems(definition),
      ...channelProblems(definition),
      ...scheduleProblems(definition, now),
    ],
    warnings: [],
  };
  const data = { profile: {}, context: sampleFromSchema(definition.contextSchema) };
  const renderedSlots: RenderedSlot[] = [];
  for (const slot of templateSlots(definition.content.locales)) {
    const rendered = await checkTemplate(slot, definition, templates, data, report);
    if (rendered === undefined) continue;
    renderedSlots.push({ ...slot, rendered });
    if (definition.channel === 'sms' && slot.field === 'body') {
      measureSms(slot, smsLengthAsSent(rendered, definition.channelConfig.sms, trackerBaseUrl), report);
    }
  }
  report.errors.push(...mobilePushPayloadProblems(definition, renderedSlots));
  return report;
}

function localeProblems(definition: CampaignDefinition): FieldError[] {
  const { content, channel } = definition;
  const problems: FieldError[] = [];
  if (!Object.prototype.hasOwnProperty.call(content.locales, content.defaultLocale)) {
    problems.push({
      path: '/content/defaultLocale',
      code: 'missing-default-locale',
      message: `the default locale "${content.defaultLocale}" has no content`,
    });
  }
  for (const [locale, fields] of Object.entries(content.locales)) {
    const missing = REQUIRED_CONTENT[channel].filter((field) => fields[field] === undefined);
    if (channel === 'email' && fields.html === undefined && fields.text === undefined) missing.push('html');
    for (const field of missing) {
      problems.push({
        path: `/content/locales/${locale}/${field}`,
        code: 'required',
        message: `locale ${locale}: a ${channel} campaign needs ${field === 'html' ? 'html or text' : field}`,
      });
    }
  }
  return problems;
}

function channelProblems(definition: CampaignDefinition): FieldError[] {
  const { channel, channelConfig } = definition;
  if (channelConfig[channel] === undefined) {
    return [
      {
        path: `/channelConfig/${channel}`,
        code: 'channel-config-missing',
        message: `a ${channel} campaign needs ${channel} settings`,
      },
    ];
  }
  if (channel === 'sms' && !channelConfig.sms?.sender) {
    return [
      { path: '/channelConfig/sms/sender', code: 'required', message: 'an SMS campaign needs a sender' },
    ];
  }
  if (channel !== 'email') return [];
  const email = channelConfig.email;
  if (!email?.fromAddress) {
    return [
      {
        path: '/channelConfig/email/fromAddress',
        code: 'required',
        message: 'an e-mail campaign needs a from address',
      },
    ];
  }
  const problems: FieldError[] = [];
  if (!isEmail(email.fromAddress)) {
    problems.push({
      path: '/channelConfig/email/fromAddress',
      code: 'invalid-from-address',
      message: `"${email.fromAddress}" is not a valid e-mail address`,
    });
  }
  if (email.replyTo !== undefined && !isEmail(email.replyTo)) {
    problems.push({
      path: '/channelConfig/email/replyTo',
      code: 'invalid-reply-to',
      message: `"${email.replyTo}" is not a valid e-mail address`,
    });
  }
  return problems;
}

function scheduleProblems(definition: CampaignDefinition, now: Date): FieldError[] {
  const start = definition.schedule?.start;
  const end = definition.schedule?.end;
  const problems: FieldError[] = [];
  if (start !== undefined && end !== undefined && Date.parse(start) >= Date.parse(end)) {
    problems.push({
      path: '/schedule/end',
      code: 'schedule-incoherent',
      message: `the end (${end}) must come after the start (${start})`,
    });
  }
  if (end !== undefined && Date.parse(end) <= now.getTime()) {
    problems.push({
      path: '/schedule/end',
      code: 'schedule-ended',
      message: `the end (${end}) has already passed`,
    });
  }
  return problems;
}

function templateSlots(locales: Record<string, LocaleContent>): TemplateSlot[] {
  return Object.entries(locales).flatMap(([locale, content]) =>
    Object.entries(content).flatMap(([field, value]): TemplateSlot[] => {
      const path = `/content/locales/${locale}/${field}`;
      if (typeof value === 'string') return [{ locale, field, path, source: value }];
      const templatesByKey: Record<string, string> = value ?? {};
      return Object.entries(templatesByKey).map(([key, source]) => ({
        locale,
        field: `${field}.${key}`,
        path: `${path}/${key}`,
        source,
      }));
    }),
  );
}

async function checkTemplate(
  slot: TemplateSlot,
  definition: CampaignDefinition,
  templates: TemplateEngine,
  data: object,
  report: ActivationReport,
): Promise<string | undefined> {
  let rendered: string;
  try {
    for (const variable of undeclaredContextPaths(
      templates.variablePaths(slot.source),
      definition.contextSchema,
    )) {
      report.errors.push({
        path: slot.path,
        code: 'undeclared-context-variable',
        message: `locale ${slot.locale}, field ${slot.field}: ${variable} is used but not declared in contextSchema`,
      });
    }
    const mode: OutputMode = HTML_FIELDS.has(slot.field) ? 'html' : 'text';
    // Keyed by the source itself: the same key then always names the same template.
    const key = `activation/${createHash('sha256').update(slot.source).digest('hex')}`;
    rendered = await templates.render(key, slot.source, data, mode);
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    const where = error.line !== undefined ? `, line ${error.line}, column ${error.column ?? 0}` : '';
    const sample = error.code === 'template-render' ? ' (rendered with sample data from contextSchema)' : '';
    report.errors.push({
      path: slot.path,
      code: error.code,
      message: `locale ${slot.locale}, field ${slot.field}${where}: ${error.message}${sample}`,
    });
    return undefined;
  }
  return rendered;
}

interface RenderedSlot extends TemplateSlot {
  rendered: string;
}

/**
 * A push campaign for an app (mobile devices) must fit FCM's and APNs' 4 KB in every locale,
 * measured on the sample rendering as the worker measures each real one.
 */
function mobilePushPayloadProblems(
  definition: CampaignDefinition,
  slots: readonly RenderedSlot[],
): FieldError[] {
  const push = definition.channelConfig.push;
  if (definition.channel !== 'push' || push?.appId === undefined) return [];
  const problems: FieldError[] = [];
  for (const locale of Object.keys(definition.content.locales)) {
    const mine = slots.filter((slot) => slot.locale === locale);
    const field = (name: string) => mine.find((slot) => slot.field === name)?.rendered.trim() || undefined;
    const data = Object.fromEntries(
      mine
        .filter((slot) => slot.field.startsWith('data.'))
        .map((slot) => [slot.field.slice(5), slot.rendered]),
    );
    const url = field('url') ?? push.defaultUrl;
    const icon = field('icon') ?? push.defaultIcon;
    const bytes = mobilePushPayloadBytes({
      title: field('title') ?? '',
      body: field('body') ?? '',
      ...(url !== undefined ? { url } : {}),
      ...(icon !== undefined ? { icon } : {}),
      ...(Object.keys(data).length > 0 ? { data } : {}),
    });
    if (bytes > MOBILE_PUSH_MAX_PAYLOAD_BYTES) {
      problems.push({
        path: `/content/locales/${locale}`,
        code: 'push-payload-too-large',
        message: `locale ${locale}: title, body and data render (with sample data) to ${bytes} bytes, more than the ${MOBILE_PUSH_MAX_PAYLOAD_BYTES} FCM and APNs take`,
      });
    }
  }
  return problems;
}

function measureSms(slot: TemplateSlot, length: SmsLengthAsSent, report: ActivationReport): void {
  const shortened =
    length.shortenedLinks > 0
      ? `, ${length.shortenedLinks} link${length.shortenedLinks === 1 ? '' : 's'} as short tracker links`
      : '';
  const facts = `renders (with sample data${shortened}) to ${length.characters} characters in ${length.encoding}: ${length.segments} segment${length.segments === 1 ? '' : 's'}`;
  if (length.segments > MAX_SMS_SEGMENTS) {
    report.errors.push({
      path: slot.path,
      code: 'sms-too-long',
      message: `locale ${slot.locale}: ${facts}, more than the ${MAX_SMS_SEGMENTS} allowed`,
    });
    return;
  }
  report.warnings.push({ path: slot.path, code: 'sms-segments', message: `locale ${slot.locale}: ${facts}` });
}
