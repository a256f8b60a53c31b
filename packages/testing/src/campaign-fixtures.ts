import type { CampaignDefinition } from '@herald/contracts';

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
