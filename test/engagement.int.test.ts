import { startSmtpStandin, type AcceptedSmtpMail, type SmtpStandin } from '@herald/channels/test-support';
import type { Delivery } from '@herald/contracts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { orderShippedCampaign, smsCampaignFixture, waitFor } from '@herald/testing';
import {
  createLiveCampaign,
  getJson,
  postJson,
  startHeraldSystem,
  type HeraldSystem,
} from './support/herald-processes';

/** The tracker judges hits this soon after the send as a machine's (link scanners); see @herald/tracking. */
const MACHINE_CLICK_WINDOW_MS = 10_000;
const BROWSER =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';

const marketingCampaign = (audienceId: string) =>
  orderShippedCampaign({
    name: 'Spring sale',
    type: 'marketing',
    audience: { id: audienceId },
    channelConfig: {
      email: { fromAddress: 'shop@example.com', tracking: { opens: true, clicks: true } },
    },
    content: {
      defaultLocale: 'en',
      locales: {
        en: {
          subject: 'Spring sale, order {{ context.orderId }}',
          html:
            '<html><body><p>Hello</p>' +
            '<a href="https://shop.example.com/sale?x=1&amp;y=2" data-herald-label="hero">Shop</a> ' +
            '<a href="https://shop.example.com/help" data-herald-track="off">Help</a> ' +
            '<a href="{{ herald.mirrorUrl }}">View in browser</a> ' +
            '<a href="{{ herald.unsubscribeUrl }}">Unsubscribe</a></body></html>',
          text: 'Spring sale',
        },
      },
    },
  });

/** Sends the campaign to its audience (Ada alone) and waits for her delivery to settle. */
async function sendToAudience(sys: HeraldSystem, campaignId: string): Promise<Delivery> {
  const accepted = await postJson(`${sys.apiUrl}/im/executions/audience`, {
    campaignId,
    context: { orderId: 'S-1', total: 1 },
  });
  expect(accepted.status).toBe(202);
  const executionId = String(accepted.body.executionId);
  return waitFor(
    async () => {
      const [delivery] = (await sys.store.deliveries.listByExecution('prod', executionId)).items;
      return delivery && delivery.status !== 'queued' ? delivery : undefined;
    },
    { timeoutMs: 20_000, description: `the delivery of execution ${executionId} settled` },
  );
}

function hrefs(html: string): string[] {
  return [...html.matchAll(/href="([^"]+)"/g)].map((match) => match[1]!.replaceAll('&amp;', '&'));
}

describe('engagement: Herald tracks an SMTP marketing e-mail, reports it, and honours one-click unsubscribe', () => {
  let smtp: SmtpStandin;
  let sys: HeraldSystem;

  beforeAll(async () => {
    smtp = await startSmtpStandin();
    sys = await startHeraldSystem(
      'engagement',
      { EMAIL_PROVIDER: 'smtp', SMTP_URL: smtp.url },
      { tracker: true },
    );
  });
  afterAll(async () => {
    await sys?.stop();
    await smtp?.close();
  });

  it('counts opens and clicks from the URLs in the delivered message, and stops marketing after unsubscribe', async () => {
    const profile = await postJson(`${sys.apiUrl}/profiles`, {
      identities: [{ namespace: 'email', id: 'ada@example.com' }],
      consents: { marketing: { email: 'y' } },
    });
    expect(profile.status).toBe(201);
    const audience = await postJson(`${sys.apiUrl}/audiences`, {
      name: 'Ada',
      kind: 'static',
      identities: [{ namespace: 'email', id: 'ada@example.com' }],
    });
    expect(audience.status).toBe(201);
    const campaignId = await createLiveCampaign(sys.apiUrl, marketingCampaign(String(audience.body.id)));
    const from = new Date(Date.now() - 60_000).toISOString();

    const first = await sendToAudience(sys, campaignId);
    expect(first.status).toBe('sent');
    const sentAt = Date.now();
    const mail: AcceptedSmtpMail = await waitFor(
      async () => smtp.accepted.find((m) => m.headers['x-herald-delivery-id'] === first.id),
      { description: 'the message at the SMTP server' },
    );
    const html = (await simpleParser(mail.raw)).html;
    if (typeof html !== 'string') throw new Error('the message has no HTML part');
    const trackerUrl = sys.trackerUrl!;
    const links = hrefs(html);
    const [shop, help, mirror, unsubscribe] = links;
    expect(shop).toMatch(new RegExp(`^${trackerUrl}/c/`));
    expect(help).toBe('https://shop.example.com/help');
    expect(mirror).toMatch(new RegExp(`^${trackerUrl}/m/`));
    expect(unsubscribe).toMatch(new RegExp(`^${trackerUrl}/u/`));
    const pixel = /<img src="([^"]+\/o\/[^"]+)"/.exec(html)?.[1];
    expect(pixel).toBeDefined();
    expect(html).not.toContain('data-herald-');
    expect(html).not.toContain('ada@example.com');
    expect(mail.headers['list-unsubscribe']).toBe(`<${unsubscribe}>`);
    expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');

    // A person reads it later than a link scanner would.
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, sentAt + MACHINE_CLICK_WINDOW_MS - Date.now())),
    );
    const opened = await fetch(pixel!, { headers: { 'user-agent': BROWSER } });
    expect(opened.status).toBe(200);
    expect(opened.headers.get('content-type')).toMatch(/^image\/gif/);
    for (let click = 0; click < 2; click += 1) {
      const clicked = await fetch(shop!, { redirect: 'manual', headers: { 'user-agent': BROWSER } });
      expect(clicked.status).toBe(302);
      expect(clicked.headers.get('location')).toBe('https://shop.example.com/sale?x=1&y=2');
    }
    const page = await fetch(mirror!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Hello');

    const to = new Date(Date.now() + 60_000).toISOString();
    const report = await waitFor(
      async () => {
        const answer = await getJson(
          `${sys.apiUrl}/campaigns/${campaignId}/report?from=${from}&to=${to}&granularity=minute`,
        );
        const totals = answer.body.totals as { clicked?: { total: number } } | undefined;
        return totals?.clicked?.total === 2 ? answer.body : undefined;
      },
      { timeoutMs: 15_000, description: 'two clicks in the report' },
    );
    expect(report.totals).toMatchObject({
      sent: 1,
      opened: { total: 1, unique: 1, human: 1, machine: 0 },
      clicked: { total: 2, unique: 1, human: 2, machine: 0 },
    });
    const series = report.series as Array<{
      opened: { total: number };
      clicked: { total: number };
      sent: number;
    }>;
    expect(series.reduce((sum, bucket) => sum + bucket.sent, 0)).toBe(1);
    expect(series.reduce((sum, bucket) => sum + bucket.clicked.total, 0)).toBe(2);
    expect(series.reduce((sum, bucket) => sum + bucket.opened.total, 0)).toBe(1);
    const breakdowns = report.breakdowns as { links: unknown[] };
    expect(breakdowns.links).toEqual([
      { linkId: '0', label: 'hero', total: 2, unique: 1, human: 2, machine: 0 },
    ]);

    // RFC 8058: the mail client POSTs to the List-Unsubscribe URL, without any page.
    const oneClick = await fetch(unsubscribe!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    const stored = await getJson(`${sys.apiUrl}/profiles/${String(profile.body.id)}`);
    expect((stored.body.consents as { marketing: Record<string, string> }).marketing.email).toBe('n');

    await waitFor(
      async () => {
        const answer = await getJson(`${sys.apiUrl}/campaigns/${campaignId}/report?from=${from}&to=${to}`);
        return (answer.body.totals as { unsubscribed?: number } | undefined)?.unsubscribed === 1;
      },
      { timeoutMs: 15_000, description: 'the unsubscribe in the report' },
    );

    const second = await sendToAudience(sys, campaignId);
    expect(second).toMatchObject({ status: 'excluded', reason: 'no-marketing-consent' });
  });

  it('leaves transactional e-mail without unsubscribe headers, and untracked when the campaign asks for no tracking', async () => {
    const campaignId = await createLiveCampaign(
      sys.apiUrl,
      orderShippedCampaign({
        content: {
          defaultLocale: 'en',
          locales: {
            en: { subject: 'Receipt', html: '<p><a href="https://shop.example.com/receipt">Receipt</a></p>' },
          },
        },
      }),
    );
    const accepted = await postJson(`${sys.apiUrl}/im/executions/unitary`, {
      requestId: 'receipt-1',
      campaignId,
      recipients: [
        {
          type: 'external',
          userId: 'grace@example.com',
          namespace: 'email',
          context: { orderId: 'R-1', total: 2 },
        },
      ],
    });
    expect(accepted.status).toBe(202);
    const mail = await waitFor(async () => smtp.accepted.find((m) => m.to.includes('grace@example.com')), {
      description: 'the receipt at the SMTP server',
    });
    expect(mail.headers['list-unsubscribe']).toBeUndefined();
    expect(mail.headers['list-unsubscribe-post']).toBeUndefined();
    const html = (await simpleParser(mail.raw)).html;
    expect(typeof html === 'string' && hrefs(html)).toEqual(['https://shop.example.com/receipt']);
    expect(html).not.toContain('/o/');
  });

  it('sends the links of an SMS as short tracker links, counts segments after shortening, and redirects a click', async () => {
    // 138 characters of URL: two segments as written, one once shortened.
    const offer = `https://shop.example.com/offers/winter-2026/${'x'.repeat(80)}?utm_source=sms&utm_campaign=winter`;
    const created = await postJson(`${sys.apiUrl}/campaigns`, {
      ...smsCampaignFixture,
      channelConfig: { sms: { sender: 'Shop', tracking: { clicks: true } } },
      content: { defaultLocale: 'en', locales: { en: { body: `Code {{ context.code }}: ${offer}` } } },
    });
    expect(created.status).toBe(201);
    const campaignId = String(created.body.id);
    const activated = await postJson(`${sys.apiUrl}/campaigns/${campaignId}/activate`);
    expect(activated.status).toBe(200);
    expect(activated.body.warnings).toEqual([
      expect.objectContaining({
        code: 'sms-segments',
        message: expect.stringMatching(
          /1 link as short tracker links\) to \d+ characters in GSM-7: 1 segment$/,
        ),
      }),
    ]);

    const accepted = await postJson(`${sys.apiUrl}/im/executions/unitary`, {
      requestId: 'sms-click-1',
      campaignId,
      recipients: [
        {
          type: 'external',
          namespace: 'crmId',
          userId: 'crm-1',
          channelData: { mobilePhoneNumber: '+44 7700 900123' },
          context: { code: '111' },
        },
      ],
    });
    expect(accepted.status).toBe(202);
    const deliveryId = `${String(accepted.body.executionId)}-r0`;
    const sent = await waitFor(
      async () => {
        try {
          return JSON.parse(
            readFileSync(path.join(sys.dir.path, 'outbox', 'sms', `${deliveryId}.json`), 'utf8'),
          ) as {
            body: string;
          };
        } catch {
          return undefined;
        }
      },
      { description: 'the SMS in the outbox' },
    );
    const shortLink = new RegExp(`^Code 111: (${sys.trackerUrl!}/s/[0-9A-Za-z]{10})$`).exec(sent.body)?.[1];
    expect(shortLink).toBeDefined();

    const clicked = await fetch(shortLink!, { redirect: 'manual', headers: { 'user-agent': BROWSER } });
    expect(clicked.status).toBe(302);
    expect(clicked.headers.get('location')).toBe(offer);
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const report = await waitFor(
      async () => {
        const answer = await getJson(`${sys.apiUrl}/campaigns/${campaignId}/report?from=${from}&to=${to}`);
        const breakdowns = answer.body.breakdowns as { links?: unknown[] } | undefined;
        return breakdowns?.links?.length ? answer.body : undefined;
      },
      { timeoutMs: 15_000, description: 'the SMS click in the report' },
    );
    // Clicked within seconds of the send: a machine's (a link scanner's) click, so no unique human.
    expect((report.breakdowns as { links: unknown[] }).links).toEqual([
      { linkId: '0', label: null, total: 1, unique: 0, human: 0, machine: 1 },
    ]);
  });
});
