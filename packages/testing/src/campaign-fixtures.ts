import { createECDH, randomBytes } from 'node:crypto';
import type { CampaignDefinition, Recipient, RecipientType } from '@herald/contracts';

/** A complete, valid e-mail campaign; tests override what they exercise. */

export function orderShippedCampaign(overrides: Partial<CampaignDefinition> = {}): CampaignDefinition {
  return {
    name: 'Order shipped',
    type: 'transactional',
    channel: 'email',
    channelConfig: { email: { fromAddress: 'shop@example.com', fromName: 'Shop' } },
    content: {
      defaultLocale: 'en',
      locales: {
        en: {
          subject: 'Hi {{ profile.person.name.firstName | default: "there" }}, order {{ context.orderId }}',
          html: '<p>Order {{ context.orderId }}: {{ context.total }} EUR</p>',
          text: 'Order {{ context.orderId }}: {{ context.total }} EUR',
        },
        fr: {
          subject: 'Bonjour {{ profile.person.name.firstName }}, commande {{ context.orderId }}',
          text: 'Commande {{ context.orderId }}',
        },
      },
    },
    contextSchema: {
      type: 'object',
      required: ['orderId', 'total'],
      additionalProperties: false,
      properties: {
        orderId: { type: 'string', minLength: 1 },
        total: { type: 'number', minimum: 0 },
        locale: { type: 'string' },
      },
    },
    identityNamespace: 'email',
    createProfiles: true,
    ...overrides,
  };
}

/**
 * A recipient of `orderShippedCampaign`, named by e-mail address: an `external` one is sent to
 * the address as given, an `aep` one through its profile (looked up, or created).
 */
export function orderShippedRecipient(
  email: string,
  {
    type = 'external',
    context = { orderId: 'A-1', total: 1 },
  }: { type?: RecipientType; context?: Record<string, unknown> } = {},
): Recipient {
  return { type, namespace: 'email', userId: email, context };
}

/** Keys of a browser push subscription: a real P-256 public key and a 16-byte auth secret. */
export function pushSubscriptionKeys(): { p256dh: string; auth: string } {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
}

/** A valid transactional SMS campaign (phone identities, a `code` in the context). */
export const smsCampaignFixture: CampaignDefinition = {
  name: 'Delivery code',
  type: 'transactional',
  channel: 'sms',
  channelConfig: { sms: { sender: 'Shop' } },
  content: {
    defaultLocale: 'en',
    locales: {
      en: {
        body: 'Hi {{ profile.person.name.firstName | default: "there" }}, your code is {{ context.code }}',
      },
      fr: { body: 'Bonjour {{ profile.person.name.firstName }}, votre code : {{ context.code }}' },
    },
  },
  contextSchema: {
    type: 'object',
    required: ['code'],
    properties: { code: { type: 'string' }, locale: { type: 'string' } },
  },
  identityNamespace: 'phone',
  createProfiles: false,
};

/** A valid transactional push campaign for the `shop-web` app. */
export const pushCampaignFixture: CampaignDefinition = {
  name: 'Order shipped (push)',
  type: 'transactional',
  channel: 'push',
  channelConfig: {
    push: { appId: 'shop-web', ttlSeconds: 600, urgency: 'high', defaultUrl: 'https://shop.example.com/' },
  },
  content: {
    defaultLocale: 'en',
    locales: {
      en: {
        title: 'Order {{ context.orderId }} shipped',
        body: '{{ profile.person.name.firstName | default: "Your" }} parcel is on its way',
        data: { orderId: '{{ context.orderId }}' },
      },
    },
  },
  contextSchema: { type: 'object', required: ['orderId'], properties: { orderId: { type: 'string' } } },
  identityNamespace: 'email',
  createProfiles: false,
};
