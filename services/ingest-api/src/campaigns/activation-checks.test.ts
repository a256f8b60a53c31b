import type { CampaignDefinition } from '@herald/contracts';
import { TemplateEngine } from '@herald/templating';
import { activationProblems } from './activation-checks';

const valid: CampaignDefinition = {
  name: 'Order shipped',
  type: 'transactional',
  channel: 'email',
  channelConfig: { email: { fromAddress: 'shop@example.com' } },
  content: {
    defaultLocale: 'en',
    locales: { en: { subject: 'Order {{ context.orderId }}', html: '<p>{{ profile.firstName }}</p>' } },
  },
  contextSchema: { type: 'object', properties: { orderId: { type: 'string' } } },
  identityNamespace: 'email',
  createProfiles: false,
};

describe('activationProblems', () => {
  const templates = new TemplateEngine();

  it('finds nothing wrong with a complete campaign', () => {
    expect(activationProblems(valid, templates)).toEqual([]);
  });

  it('reports every problem at once, each with the field at fault', () => {
    const broken: CampaignDefinition = {
      ...valid,
      channelConfig: {},
      content: {
        defaultLocale: 'de',
        locales: {
          en: { subject: 'Order {{ context.orderId }} {{ context.coupon }}', html: '<p>\n{% if x %}</p>' },
        },
      },
    };
    const problems = activationProblems(broken, templates);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/content/defaultLocale', code: 'missing-default-locale' }),
        expect.objectContaining({ path: '/channelConfig/email/fromAddress', code: 'required' }),
        expect.objectContaining({ path: '/content/locales/en/subject', code: 'undeclared-context-variable' }),
        expect.objectContaining({ path: '/content/locales/en/html', code: 'template-syntax' }),
      ]),
    );
    expect(problems).toHaveLength(4);
    expect(problems.find((p) => p.code === 'template-syntax')?.message).toMatch(/line 2/);
  });
});
