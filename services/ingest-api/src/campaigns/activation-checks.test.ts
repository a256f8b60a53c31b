import type { CampaignDefinition } from '@herald/contracts';
import { TemplateEngine } from '@herald/templating';
import { activationChecks } from './activation-checks';

const NOW = new Date('2030-01-01T00:00:00Z');

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

const sms = (body: string): CampaignDefinition => ({
  ...valid,
  channel: 'sms',
  channelConfig: { sms: { sender: 'Shop' } },
  content: { defaultLocale: 'en', locales: { en: { body } } },
  contextSchema: { type: 'object', properties: { code: { type: 'string', pattern: '^[0-9]{6}$' } } },
});

describe('activationChecks', () => {
  const templates = new TemplateEngine();

  it('finds nothing wrong with a complete campaign', async () => {
    expect(await activationChecks(valid, templates, NOW)).toEqual({ errors: [], warnings: [] });
  });

  it('reports every problem at once, each with the field at fault', async () => {
    const broken: CampaignDefinition = {
      ...valid,
      channelConfig: {},
      content: {
        defaultLocale: 'de',
        locales: {
          en: { subject: 'Order {{ context.orderId }} {{ context.coupon }}', html: '<p>\n{% if x %}</p>' },
        },
      },
      schedule: { start: '2030-02-01T00:00:00Z', end: '2029-12-01T00:00:00Z' },
    };
    const { errors } = await activationChecks(broken, templates, NOW);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/content/defaultLocale', code: 'missing-default-locale' }),
        expect.objectContaining({ path: '/channelConfig/email', code: 'channel-config-missing' }),
        expect.objectContaining({ path: '/content/locales/en/subject', code: 'undeclared-context-variable' }),
        expect.objectContaining({ path: '/content/locales/en/html', code: 'template-syntax' }),
        expect.objectContaining({ path: '/schedule/end', code: 'schedule-incoherent' }),
        expect.objectContaining({ path: '/schedule/end', code: 'schedule-ended' }),
      ]),
    );
    expect(errors).toHaveLength(6);
    expect(errors.find((p) => p.code === 'template-syntax')?.message).toMatch(
      /^locale en, field html, line 2, column 1: /,
    );
  });

  it('refuses a from address that is not an e-mail address', async () => {
    const { errors } = await activationChecks(
      { ...valid, channelConfig: { email: { fromAddress: 'shop at example' } } },
      templates,
      NOW,
    );
    expect(errors).toEqual([expect.objectContaining({ code: 'invalid-from-address' })]);
  });

  it('renders each template with sample data and reports a render error with its position', async () => {
    // Fine with small counts; the schema's minimum makes the sample loop exceed the memory limit.
    const { errors } = await activationChecks(
      {
        ...valid,
        content: {
          defaultLocale: 'en',
          locales: {
            en: { subject: 'Hi', text: 'x\n  {% for i in (1..context.count) %}{{ i }}{% endfor %}' },
          },
        },
        contextSchema: { type: 'object', properties: { count: { type: 'integer', minimum: 1_000_000_000 } } },
      },
      templates,
      NOW,
    );
    expect(errors).toEqual([
      expect.objectContaining({ path: '/content/locales/en/text', code: 'template-render' }),
    ]);
    expect(errors[0]?.message).toMatch(/^locale en, field text, line 2, column 3: .*sample data/);
  });

  it('refuses a template that includes another template', async () => {
    const { errors } = await activationChecks(
      {
        ...valid,
        content: { defaultLocale: 'en', locales: { en: { subject: 'Hi', text: '{% include "footer" %}' } } },
      },
      templates,
      NOW,
    );
    expect(errors).toEqual([
      expect.objectContaining({ path: '/content/locales/en/text', code: 'template-syntax' }),
    ]);
    expect(errors[0]?.message).toContain('cannot include other templates');
  });

  it('reports the segments of an SMS body rendered with sample data as a warning', async () => {
    const { errors, warnings } = await activationChecks(
      sms('Your code is {{ context.code }}'),
      templates,
      NOW,
    );
    expect(errors).toEqual([]);
    expect(warnings).toEqual([
      {
        path: '/content/locales/en/body',
        code: 'sms-segments',
        message: 'locale en: renders (with sample data) to 19 characters in GSM-7: 1 segment',
      },
    ]);
  });

  it('counts the segments of an SMS with click tracking as sent: its links as short tracker links', async () => {
    const body = `Code {{ context.code }}: https://shop.example.com/offers/${'x'.repeat(150)}`;
    const tracked: CampaignDefinition = {
      ...sms(body),
      channelConfig: { sms: { sender: 'Shop', tracking: { clicks: true } } },
    };
    const shortened = await activationChecks(tracked, templates, NOW, 'https://t.example.com');
    // "Code 000000: " (13) + https://t.example.com/s/ (24) + a 10-character code.
    expect(shortened.warnings[0]?.message).toBe(
      'locale en: renders (with sample data, 1 link as short tracker links) to 47 characters in GSM-7: 1 segment',
    );
    const untracked = await activationChecks(sms(body), templates, NOW, 'https://t.example.com');
    expect(untracked.warnings[0]?.message).toBe(
      'locale en: renders (with sample data) to 195 characters in GSM-7: 2 segments',
    );
  });

  it('refuses an SMS body whose rendered sample needs more than 10 segments', async () => {
    const { errors, warnings } = await activationChecks(sms('€'.repeat(800)), templates, NOW);
    expect(warnings).toEqual([]);
    expect(errors).toEqual([expect.objectContaining({ code: 'sms-too-long' })]);
    expect(errors[0]?.message).toContain('11 segments');
  });

  it('checks every push data template', async () => {
    const push: CampaignDefinition = {
      ...valid,
      channel: 'push',
      channelConfig: { push: {} },
      content: {
        defaultLocale: 'en',
        locales: { en: { title: 'Hi', body: 'There', data: { orderId: '{{ context.nope }}' } } },
      },
    };
    const { errors } = await activationChecks(push, templates, NOW);
    expect(errors).toEqual([
      expect.objectContaining({
        path: '/content/locales/en/data/orderId',
        code: 'undeclared-context-variable',
      }),
    ]);
  });
});

describe('activationChecks of a mobile push campaign', () => {
  const templates = new TemplateEngine();
  const mobile = (body: string): CampaignDefinition => ({
    ...valid,
    channel: 'push',
    channelConfig: { push: { appId: 'com.example.shop' } },
    content: {
      defaultLocale: 'en',
      locales: { en: { title: 'Hi', body: 'short' }, fr: { title: 'Salut', body } },
    },
  });

  it('refuses a locale whose rendered payload is over the 4 KB FCM and APNs take', async () => {
    const { errors } = await activationChecks(mobile('é'.repeat(2100)), templates, NOW);
    expect(errors).toEqual([
      expect.objectContaining({ path: '/content/locales/fr', code: 'push-payload-too-large' }),
    ]);
  });

  it('accepts a payload that fits, and leaves web push campaigns (no app) to the push service', async () => {
    expect((await activationChecks(mobile('fits'), templates, NOW)).errors).toEqual([]);
    const web = { ...mobile('é'.repeat(2100)), channelConfig: { push: {} } };
    expect((await activationChecks(web, templates, NOW)).errors).toEqual([]);
  });
});
