import type { CampaignDefinition } from '@herald/contracts';

/** Recipients per call: the AJO default maximum, the case the targets are set for. */
export const RECIPIENTS_PER_CALL = 20;

/**
 * An order-confirmation e-mail of about 2 KB of HTML: ten context variables, one of them a
 * list of order lines rendered by a loop, as a shop would send.
 */
const HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Order {{ context.orderId }}</title></head>
<body style="margin:0;padding:0;background:#f4f4f4;font-family:Helvetica,Arial,sans-serif;color:#222">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f4">
<tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="background:#ffffff;border-radius:6px">
<tr><td style="padding:24px 32px;border-bottom:1px solid #eee">
<h1 style="margin:0;font-size:22px">Thank you, {{ context.firstName | default: "dear customer" }}!</h1>
<p style="margin:8px 0 0;font-size:14px;color:#666">Order <strong>{{ context.orderId }}</strong> placed on {{ context.orderDate }}</p>
</td></tr>
<tr><td style="padding:16px 32px">
<table role="presentation" width="100%" cellpadding="6" cellspacing="0" style="font-size:14px">
<tr style="background:#fafafa"><th align="left">Item</th><th align="left">SKU</th><th align="right">Qty</th><th align="right">Price</th></tr>
{% for item in context.order.items %}<tr><td>{{ item.name }}</td><td style="color:#888">{{ item.sku }}</td><td align="right">{{ item.quantity }}</td><td align="right">{{ item.unitPrice }} {{ context.currency }}</td></tr>
{% endfor %}<tr><td colspan="3" align="right"><strong>Total</strong></td><td align="right"><strong>{{ context.total }} {{ context.currency }}</strong></td></tr>
</table></td></tr>
<tr><td style="padding:16px 32px;font-size:14px;line-height:20px">
<p style="margin:0 0 8px">Your parcel leaves with <strong>{{ context.carrier }}</strong> for {{ context.city }} ({{ context.country }}).</p>
<p style="margin:0 0 8px">Tracking number: <a href="https://track.example.com/{{ context.trackingNumber }}" style="color:#0b62d6">{{ context.trackingNumber }}</a></p>
<p style="margin:0;color:#666">Questions? Reply to this e-mail or visit our help centre; we answer within one business day.</p>
</td></tr>
<tr><td style="padding:16px 32px;border-top:1px solid #eee;font-size:12px;color:#999">
You receive this e-mail because you placed an order at Example Shop, 1 Example Street, 69000 Lyon, France.
This is a transactional message about your purchase; it is sent even if you opted out of newsletters.
</td></tr>
</table></td></tr></table>
</body></html>`;

const TEXT =
  'Thank you {{ context.firstName }}! Order {{ context.orderId }} ({{ context.orderDate }}): ' +
  '{{ context.total }} {{ context.currency }}, shipped with {{ context.carrier }}, tracking {{ context.trackingNumber }}.';

export const TEMPLATE_HTML_BYTES = Buffer.byteLength(HTML);

const orderLine = {
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

/** Transactional, so consent and frequency caps never exclude anyone; unknown profiles are created. */
export function deliveryCampaign(): CampaignDefinition {
  return {
    name: 'Bench delivery: order confirmation',
    type: 'transactional',
    channel: 'email',
    channelConfig: { email: { fromAddress: 'shop@example.com', fromName: 'Example Shop' } },
    content: {
      defaultLocale: 'en',
      locales: { en: { subject: 'Order {{ context.orderId }} confirmed', html: HTML, text: TEXT } },
    },
    contextSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['firstName', 'orderId', 'orderDate', 'total', 'currency', 'carrier', 'order'],
      properties: {
        firstName: { type: 'string', maxLength: 100 },
        orderId: { type: 'string', minLength: 1, maxLength: 64 },
        orderDate: { type: 'string', maxLength: 32 },
        total: { type: 'number', minimum: 0 },
        currency: { type: 'string', pattern: '^[A-Z]{3}$' },
        carrier: { type: 'string', maxLength: 64 },
        trackingNumber: { type: 'string', maxLength: 64 },
        city: { type: 'string', maxLength: 100 },
        country: { type: 'string', pattern: '^[A-Z]{2}$' },
        order: {
          type: 'object',
          additionalProperties: false,
          required: ['items'],
          properties: { items: { type: 'array', maxItems: 50, items: orderLine } },
        },
      },
    },
    identityNamespace: 'email',
    createProfiles: true,
  };
}

/**
 * `new-profiles`: `aep` recipients never seen before, so each creates its profile (the heaviest
 * path). `external`: recipients addressed by the call alone, with no profile read or written.
 */
export type BenchRecipients = 'new-profiles' | 'external';

function recipient(userId: string, index: number, kind: BenchRecipients): Record<string, unknown> {
  return {
    type: kind === 'external' ? 'external' : 'aep',
    userId,
    namespace: kind === 'external' ? 'crmId' : 'email',
    channelData: { emailAddress: userId },
    context: {
      firstName: 'Camille',
      orderId: `ORD-2024-${100000 + index}`,
      orderDate: '2024-11-24',
      total: 149.9 + index,
      currency: 'EUR',
      carrier: 'Colissimo',
      trackingNumber: `6A${String(1e10 + index)}`,
      city: 'Lyon',
      country: 'FR',
      order: {
        items: [
          { sku: `SKU-${index}-A`, name: 'Merino sweater, navy, M', quantity: 1, unitPrice: 89.9 },
          { sku: `SKU-${index}-B`, name: 'Cotton socks, 3-pack', quantity: 2, unitPrice: 20 },
          { sku: `SKU-${index}-C`, name: 'Gift wrapping', quantity: 1, unitPrice: 20 },
        ],
      },
    },
  };
}

/**
 * The body of call number `sequence` of run `runId`: its own requestId (idempotency would
 * otherwise turn calls into replays) and 20 user ids never seen before, so every recipient
 * creates its profile: the heaviest path of an `aep` call.
 */
export function deliveryCallBody(
  campaignId: string,
  runId: string,
  sequence: number,
  kind: BenchRecipients = 'new-profiles',
): string {
  return JSON.stringify({
    requestId: `bench-${runId}-${sequence}`,
    campaignId,
    recipients: callRecipients(runId, sequence, kind),
  });
}

/** The 20 recipients of call `sequence` of run `runId`, each with a user id of its own. */
export function callRecipients(
  runId: string,
  sequence: number,
  kind: BenchRecipients = 'new-profiles',
): Array<Record<string, unknown>> {
  return Array.from({ length: RECIPIENTS_PER_CALL }, (_, index) =>
    recipient(`c-${runId}-${sequence}-${index}@example.com`, index, kind),
  );
}
