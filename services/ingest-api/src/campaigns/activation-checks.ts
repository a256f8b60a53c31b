import type { CampaignDefinition, TemplateField } from '@herald/contracts';
import type { FieldError } from '@herald/errors';
import { TemplateError, undeclaredContextPaths, type TemplateEngine } from '@herald/templating';

const TEMPLATE_FIELDS: readonly TemplateField[] = ['subject', 'html', 'text'];

/**
 * Every check a campaign must pass before it can go live; all problems are returned at once so
 * the author fixes them in one round.
 */
export function activationProblems(definition: CampaignDefinition, templates: TemplateEngine): FieldError[] {
  const problems: FieldError[] = [];
  const { content } = definition;
  if (!Object.prototype.hasOwnProperty.call(content.locales, content.defaultLocale)) {
    problems.push({
      path: '/content/defaultLocale',
      code: 'missing-default-locale',
      message: `the default locale "${content.defaultLocale}" has no content`,
    });
  }
  if (definition.channel === 'email' && !definition.channelConfig.email?.fromAddress) {
    problems.push({
      path: '/channelConfig/email/fromAddress',
      code: 'required',
      message: 'an e-mail campaign needs a from address',
    });
  }
  for (const [locale, fields] of Object.entries(content.locales)) {
    for (const field of TEMPLATE_FIELDS) {
      const source = fields[field];
      if (source === undefined) continue;
      const path = `/content/locales/${locale}/${field}`;
      try {
        const undeclared = undeclaredContextPaths(templates.variablePaths(source), definition.contextSchema);
        for (const variable of undeclared) {
          problems.push({
            path,
            code: 'undeclared-context-variable',
            message: `${variable} is used but not declared in contextSchema`,
          });
        }
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        const where = error.line !== undefined ? ` (line ${error.line}, column ${error.column ?? 0})` : '';
        problems.push({ path, code: 'template-syntax', message: `${error.message}${where}` });
      }
    }
  }
  return problems;
}
