import type { CampaignDefinition, CampaignVersion, Profile, Recipient } from '@herald/contracts';
import { TemplateEngine } from '@herald/templating';
import { buildMessage } from './build-message';

const version = (definition: Partial<CampaignDefinition>): CampaignVersion => ({
  campaignId: `c-${Math.random().toString(36).slice(2)}`,
  sandbox: 'prod',
  version: 1,
  createdAt: '2030-01-01T00:00:00Z',
  definition: {
    name: 'n',
    type: 'transactional',
    channel: 'email',
    channelConfig: {},
    content: { defaultLocale: 'en', locales: {} },
    contextSchema: { type: 'object' },
    identityNamespace: 'email',
    createProfiles: false,
    ...definition,
  },
});
const recipient = (fields: Partial<Recipient>): Recipient => ({
  type: 'external',
  userId: 'u-1',
  namespace: 'crmId',
  ...fields,
});
const templates = new TemplateEngine();

describe('buildMessage', () => {
  it('builds an SMS from the sender, the resolved number and the rendered body', async () => {
    const sms = version({
      channel: 'sms',
      channelConfig: { sms: { sender: 'Shop' } },
      content: {
        defaultLocale: 'en',
        locales: {
          en: { body: ' Hi {{ profile.firstName }}, order {{ context.orderId }} shipped ' },
          fr: { body: 'Commande {{ context.orderId }}' },
        },
      },
    });
    const built = await buildMessage(templates, {
      version: sms,
      recipient: recipient({
        channelData: { mobilePhoneNumber: '+33612345678' },
        profile: { firstName: 'Ada' },
        context: { orderId: 'A-1' },
      }),
      profile: null,
    });
    expect(built).toEqual({
      kind: 'message',
      locale: 'en',
      message: { channel: 'sms', from: 'Shop', to: '+33612345678', body: 'Hi Ada, order A-1 shipped' },
    });
  });

  it('builds a push message for every subscription, with the default URL and icon filling in', async () => {
    const push = version({
      channel: 'push',
      channelConfig: {
        push: {
          appId: 'web',
          ttlSeconds: 600,
          urgency: 'high',
          defaultUrl: 'https://shop.example.com',
          defaultIcon: 'https://shop.example.com/icon.png',
        },
      },
      content: {
        defaultLocale: 'en',
        locales: {
          en: {
            title: 'Order {{ context.orderId }}',
            body: 'On its way',
            url: '{{ context.link }}',
            data: { orderId: '{{ context.orderId }}' },
          },
        },
      },
    });
    const keys = { p256dh: 'p', auth: 'a' };
    const profile = {
      identities: [],
      attributes: {},
      pushSubscriptions: [
        { endpoint: 'https://push.example/1', keys, appId: 'web' },
        { endpoint: 'https://push.example/2', keys, appId: 'web' },
      ],
    } as Partial<Profile> as Profile;
    const built = await buildMessage(templates, {
      version: push,
      recipient: recipient({ type: 'aep', context: { orderId: 'A-1' } }),
      profile,
    });
    expect(built).toEqual({
      kind: 'message',
      locale: 'en',
      message: {
        channel: 'push',
        subscriptions: [
          { endpoint: 'https://push.example/1', keys },
          { endpoint: 'https://push.example/2', keys },
        ],
        devices: [],
        payload: {
          title: 'Order A-1',
          body: 'On its way',
          url: 'https://shop.example.com',
          icon: 'https://shop.example.com/icon.png',
          data: { orderId: 'A-1' },
        },
        ttlSeconds: 600,
        urgency: 'high',
      },
    });
  });

  it("builds a push message for every device token of the campaign's app", async () => {
    const mobile = version({
      channel: 'push',
      channelConfig: { push: { appId: 'com.shop' } },
      content: { defaultLocale: 'en', locales: { en: { title: 'Hi', body: 'On its way' } } },
    });
    const iphone = { appId: 'com.shop', platform: 'apns' as const, token: 'ab'.repeat(32) };
    const profile = {
      identities: [],
      attributes: {},
      pushSubscriptions: [],
      pushTokens: [iphone, { appId: 'com.blog', platform: 'fcm' as const, token: 'other' }],
    } as Partial<Profile> as Profile;
    const built = await buildMessage(templates, {
      version: mobile,
      recipient: recipient({ type: 'aep' }),
      profile,
    });
    expect(built).toMatchObject({
      kind: 'message',
      message: { subscriptions: [], devices: [iphone], payload: { title: 'Hi', body: 'On its way' } },
    });
    const none = await buildMessage(templates, {
      version: mobile,
      recipient: recipient({ type: 'aep' }),
      profile: { ...profile, pushTokens: [] },
    });
    expect(none).toMatchObject({ kind: 'excluded', reason: 'no-push-token-for-app' });
  });

  it('excludes a recipient without an address for the channel, naming the locale it would use', async () => {
    const sms = version({
      channel: 'sms',
      channelConfig: { sms: { sender: 'Shop' } },
      content: { defaultLocale: 'en', locales: { en: { body: 'x' }, de: { body: 'y' } } },
    });
    expect(
      await buildMessage(templates, {
        version: sms,
        recipient: recipient({ context: { locale: 'de' } }),
        profile: null,
      }),
    ).toEqual({ kind: 'excluded', locale: 'de', reason: 'no-address' });
  });

  it('excludes, with a precise reason, a message the providers would refuse: blank subject, blank content, over-long SMS', async () => {
    const email = (content: { subject: string; html?: string; text?: string }) =>
      version({
        channelConfig: { email: { fromAddress: 'shop@example.com' } },
        content: { defaultLocale: 'en', locales: { en: content } },
      });
    const sms = (body: string) =>
      version({
        channel: 'sms',
        channelConfig: { sms: { sender: 'Shop' } },
        content: { defaultLocale: 'en', locales: { en: { body } } },
      });
    const reader = recipient({ userId: 'ada@example.com', namespace: 'email', context: { n: 1600, s: ' ' } });
    const phone = recipient({ channelData: { mobilePhoneNumber: '+33612345678' }, context: { n: 1600 } });
    const outcome = async (built: Promise<unknown>) => {
      const result = (await built) as { kind: string; reason?: string };
      return result.kind === 'excluded' ? result.reason : result.kind;
    };
    const build = (v: CampaignVersion, r: Recipient) =>
      buildMessage(templates, { version: v, recipient: r, profile: null });

    expect(await outcome(build(email({ subject: '{{ context.s }}', text: 'Hi' }), reader))).toBe(
      'empty-subject',
    );
    expect(await outcome(build(email({ subject: 'Hi', html: '{{ context.s }}', text: ' ' }), reader))).toBe(
      'empty-content',
    );
    expect(await outcome(build(email({ subject: 'Hi', html: '<p>Hi</p>' }), reader))).toBe('message');
    expect(await outcome(build(sms('{{ context.missing }}'), phone))).toBe('empty-content');
    // 1,600 UTF-16 units (an emoji is two) go; 1,601 do not.
    expect(await outcome(build(sms('{% for i in (1..context.n) %}x{% endfor %}'), phone))).toBe('message');
    expect(await outcome(build(sms('😀{% for i in (3..context.n) %}x{% endfor %}'), phone))).toBe('message');
    expect(await outcome(build(sms('😀{% for i in (2..context.n) %}x{% endfor %}'), phone))).toBe(
      'sms-too-long',
    );
    expect(await outcome(build(sms('x{% for i in (1..context.n) %}x{% endfor %}'), phone))).toBe(
      'sms-too-long',
    );
  });

  it('renders a forced locale and fails for good on a template error', async () => {
    const email = version({
      channelConfig: { email: { fromAddress: 'shop@example.com' } },
      content: {
        defaultLocale: 'en',
        locales: { en: { subject: 'Hi', text: 'x' }, fr: { subject: '{{ 1 | nosuchfilter }}', text: 'y' } },
      },
    });
    const to = recipient({ channelData: { emailAddress: 'ada@example.com' } });
    await expect(
      buildMessage(templates, { version: email, recipient: to, profile: null, locale: 'fr' }),
    ).rejects.toMatchObject({ code: 'render-failed' });
  });
});
