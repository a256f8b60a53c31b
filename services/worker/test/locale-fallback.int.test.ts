import type { CampaignDefinition, Recipient } from '@herald/contracts';
import { orderShippedCampaign } from '@herald/testing';
import { startSendGridStandin, type SendGridStandin } from '@herald/channels/test-support';
import { startWorkerHarness, type WorkerHarness } from './worker-harness.fixture';

/** One subject per locale, so the subject received tells which locale the worker chose. */
const multilingual = (): CampaignDefinition =>
  orderShippedCampaign({
    createProfiles: false,
    content: {
      defaultLocale: 'en',
      locales: {
        en: { subject: 'Order {{ context.orderId }}', text: 'Order {{ context.orderId }}' },
        fr: { subject: 'Commande {{ context.orderId }}', text: 'Commande {{ context.orderId }}' },
        es: { subject: 'Pedido {{ context.orderId }}', text: 'Pedido {{ context.orderId }}' },
      },
    },
  });

describe('worker choosing the locale of each message', () => {
  let sendgrid: SendGridStandin;
  let h: WorkerHarness;

  beforeAll(async () => {
    sendgrid = await startSendGridStandin();
    h = await startWorkerHarness('locale-fallback', {
      EMAIL_PROVIDER: 'sendgrid',
      SENDGRID_API_KEY: sendgrid.apiKey,
      SENDGRID_API_URL: sendgrid.url,
    });
  });
  afterAll(async () => {
    await h?.stop();
    await sendgrid?.close();
  });

  it('takes context.locale, then the preferred language, each by exact then language-only match, then the default', async () => {
    const cases = [
      { email: 'context@example.com', contextLocale: 'es', preferred: 'fr', expected: 'Pedido' },
      { email: 'profile@example.com', contextLocale: undefined, preferred: 'fr', expected: 'Commande' },
      { email: 'region@example.com', contextLocale: undefined, preferred: 'fr-CA', expected: 'Commande' },
      { email: 'context-region@example.com', contextLocale: 'ES_mx', preferred: 'fr', expected: 'Pedido' },
      { email: 'unknown-context@example.com', contextLocale: 'de-AT', preferred: 'fr', expected: 'Commande' },
      { email: 'nothing-known@example.com', contextLocale: 'de', preferred: 'it', expected: 'Order' },
    ];
    const recipients: Recipient[] = [];
    for (const [index, c] of cases.entries()) {
      await h.store.profiles.create('prod', {
        identities: [{ namespace: 'email', id: c.email }],
        preferredLanguage: c.preferred,
      });
      const context = {
        orderId: `L-${index}`,
        total: 1,
        ...(c.contextLocale ? { locale: c.contextLocale } : {}),
      };
      recipients.push({ type: 'aep', namespace: 'email', userId: c.email, context });
    }
    const version = await h.liveCampaign(multilingual());
    const { executionId } = await h.enqueue(version, recipients);
    const records = await h.settled(executionId, cases.length);
    expect(records.map((record) => record.status)).toEqual(cases.map(() => 'sent'));
    const subjects = cases.map((c) => sendgrid.accepted.find((mail) => mail.to === c.email)?.subject);
    expect(subjects).toEqual(cases.map((c, index) => `${c.expected} L-${index}`));
  });
});
