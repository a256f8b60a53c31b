import type { CampaignDefinition } from '@herald/contracts';
import { orderShippedCampaign } from '@herald/testing';

/** Recipients per call: the AJO default maximum, the case the target is set for. */
export const RECIPIENTS_PER_CALL = 20;

const REQUEST_ID_MARKER = '__bench-request-id__';

/** The tests' order e-mail campaign, with a context schema that checks every field the body sends. */
export function benchCampaign(): CampaignDefinition {
  const item = {
    type: 'object',
    additionalProperties: false,
    required: ['sku', 'name', 'quantity', 'unitPrice'],
    properties: {
      sku: { type: 'string', maxLength: 32 },
      name: { type: 'string', maxLength: 200 },
      quantity: { type: 'integer', minimum: 1 },
      unitPrice: { type: 'number', minimum: 0 },
    },
  };
  return orderShippedCampaign({
    name: 'Bench order confirmation',
    content: {
      defaultLocale: 'en',
      locales: {
        en: {
          subject: 'Order {{ context.orderId }} confirmed',
          html: '<p>{{ context.items.size }} items, {{ context.total }} {{ context.currency }}</p>',
          text: '{{ context.items.size }} items, {{ context.total }} {{ context.currency }}',
        },
      },
    },
    contextSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['orderId', 'total', 'currency', 'items', 'shipping'],
      properties: {
        orderId: { type: 'string', minLength: 1, maxLength: 64 },
        total: { type: 'number', minimum: 0 },
        currency: { type: 'string', pattern: '^[A-Z]{3}$' },
        items: { type: 'array', maxItems: 50, items: item },
        shipping: {
          type: 'object',
          additionalProperties: false,
          required: ['carrier', 'city', 'country'],
          properties: {
            carrier: { type: 'string', maxLength: 64 },
            city: { type: 'string', maxLength: 100 },
            country: { type: 'string', pattern: '^[A-Z]{2}$' },
          },
        },
      },
    },
    createProfiles: false,
  });
}

function recipient(index: number): Record<string, unknown> {
  return {
    type: 'external',
    userId: `customer-${index}@example.com`,
    namespace: 'email',
    context: {
      orderId: `ORD-2024-${100000 + index}`,
      total: 129.9 + index,
      currency: 'EUR',
      items: [
        {
          sku: `SKU-${index}-A`,
          name: 'Merino sweater, navy, M',
          quantity: 1,
          unitPrice: 89.9,
        },
        { sku: `SKU-${index}-B`, name: 'Cotton socks, 3-pack', quantity: 2, unitPrice: 20 },
      ],
      shipping: { carrier: 'Colissimo', city: 'Lyon', country: 'FR' },
    },
  };
}

/**
 * A 20-recipient unitary call of about 7 KB, as a template: `render(requestId)` gives the exact
 * body bytes for one call. Every call needs its own `requestId`, or idempotency would turn the
 * run into replays.
 */
export interface UnitaryBodyTemplate {
  render(requestId: string): string;
  readonly bytes: number;
}

export function unitaryBodyTemplate(campaignId: string): UnitaryBodyTemplate {
  const json = JSON.stringify({
    requestId: REQUEST_ID_MARKER,
    campaignId,
    recipients: Array.from({ length: RECIPIENTS_PER_CALL }, (_, index) => recipient(index)),
  });
  const [head, tail] = json.split(REQUEST_ID_MARKER) as [string, string];
  return {
    render: (requestId) => `${head}${requestId}${tail}`,
    bytes: Buffer.byteLength(json),
  };
}
