import { readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import type { Store } from '@herald/store';
import { orderShippedCampaign, waitFor, type TempDir } from '@herald/testing';
import {
  createLiveCampaign,
  postJson,
  startWorkerProcess,
  startHeraldSystem,
  type HeraldSystem,
} from './support/herald-processes';

/** The first path for real: API process → Redis → worker process → outbox, recorded in the store. */
describe('a unitary trigger, end to end through separate API and worker processes', () => {
  let dir: TempDir;
  let env: Record<string, string>;
  let store: Store;
  let apiUrl: string;
  let system: HeraldSystem;

  beforeAll(async () => {
    system = await startHeraldSystem('e2e');
    ({ dir, env, store, apiUrl } = system);
  });
  afterAll(async () => system?.stop());

  const outboxFile = (deliveryId: string) => path.join(dir.path, 'outbox', 'email', `${deliveryId}.eml`);

  it('renders each recipient with profile and context values and records the delivery', async () => {
    await store.profiles.create('prod', {
      identities: [{ namespace: 'email', id: 'marie@example.com' }],
      attributes: { person: { name: { firstName: 'Marie' } } },
      preferredLanguage: 'fr-FR',
    });
    const campaignId = await createLiveCampaign(apiUrl, orderShippedCampaign());
    const accepted = await postJson(`${apiUrl}/im/executions/unitary`, {
      requestId: 'e2e-1',
      campaignId,
      recipients: [
        {
          type: 'aep',
          userId: 'ada@example.com',
          namespace: 'email',
          profile: { person: { name: { firstName: 'Ada' } } },
          context: { orderId: 'A-1001', total: 42.5 },
        },
        {
          type: 'aep',
          userId: 'marie@example.com',
          namespace: 'email',
          context: { orderId: 'M-7', total: 3 },
        },
        {
          type: 'external',
          userId: 'crm-991',
          namespace: 'crmId',
          channelData: { emailAddress: 'grace@example.com' },
          context: { orderId: '<b>G-9</b>', total: 1 },
        },
      ],
    });
    expect(accepted.status).toBe(202);
    const executionId = String(accepted.body.executionId);

    const deliveries = await waitFor(
      async () => {
        const page = await store.deliveries.listByExecution('prod', executionId);
        return page.items.length === 3 && page.items.every((d) => d.status === 'sent')
          ? page.items
          : undefined;
      },
      { timeoutMs: 20_000, description: 'three sent deliveries' },
    );
    expect(deliveries.map((d) => d.address)).toEqual([
      'ada@example.com',
      'marie@example.com',
      'grace@example.com',
    ]);
    expect(deliveries[0]?.history.map((event) => event.status)).toEqual(['sent']);
    expect(deliveries[0]?.providerMessageId).toBe(`outbox:${executionId}-r0`);

    const ada = await simpleParser(readFileSync(outboxFile(`${executionId}-r0`)));
    expect(ada.subject).toBe('Hi Ada, order A-1001');
    expect(ada.html).toBe('<p>Order A-1001: 42.5 EUR</p>');
    expect(ada.to && 'text' in ada.to ? ada.to.text : '').toBe('ada@example.com');
    expect(ada.from?.text).toBe('"Shop" <shop@example.com>');

    const marie = await simpleParser(readFileSync(outboxFile(`${executionId}-r1`)));
    expect(marie.subject).toBe('Bonjour Marie, commande M-7');

    const grace = await simpleParser(readFileSync(outboxFile(`${executionId}-r2`)));
    expect(grace.subject).toBe('Hi there, order <b>G-9</b>');
    expect(grace.html).toBe('<p>Order &lt;b&gt;G-9&lt;/b&gt;: 1 EUR</p>');

    const created = await store.profiles.findByIdentity('prod', {
      namespace: 'email',
      id: 'ada@example.com',
    });
    expect(created).not.toBeNull();
    // The call's profile attributes are for rendering only: they are not stored.
    expect(created?.attributes).toEqual({});
    expect(await store.profiles.findByIdentity('prod', { namespace: 'crmId', id: 'crm-991' })).toBeNull();
  });

  it('excludes an unknown profile when the campaign neither creates nor refuses them, and sends nothing', async () => {
    const campaignId = await createLiveCampaign(apiUrl, {
      ...orderShippedCampaign({ createProfiles: false }),
      unknownProfiles: 'exclude',
    });
    const accepted = await postJson(`${apiUrl}/im/executions/unitary`, {
      requestId: 'e2e-2',
      campaignId,
      recipients: [
        {
          type: 'aep',
          userId: 'nobody@example.com',
          namespace: 'email',
          context: { orderId: 'X', total: 0 },
        },
      ],
    });
    expect(accepted.status).toBe(202);
    const executionId = String(accepted.body.executionId);
    const delivery = await waitFor(
      async () => (await store.deliveries.get('prod', `${executionId}-r0`)) ?? undefined,
      { timeoutMs: 20_000, description: 'the excluded delivery' },
    );
    expect(delivery).toMatchObject({ status: 'excluded', reason: 'profile-not-found' });
    expect(() => readFileSync(outboxFile(`${executionId}-r0`))).toThrow();
    expect(
      await store.profiles.findByIdentity('prod', { namespace: 'email', id: 'nobody@example.com' }),
    ).toBeNull();
  });

  it('fails a recipient for good when its rendered subject would inject a header', async () => {
    const campaign = orderShippedCampaign();
    campaign.content.locales.en = { subject: 'Order {{ context.orderId }}', text: 'x' };
    const campaignId = await createLiveCampaign(apiUrl, campaign);
    const accepted = await postJson(`${apiUrl}/im/executions/unitary`, {
      requestId: 'e2e-3',
      campaignId,
      recipients: [
        {
          type: 'aep',
          userId: 'eve@example.com',
          namespace: 'email',
          context: { orderId: '1\r\nBcc: all@example.com', total: 1 },
        },
      ],
    });
    const executionId = String(accepted.body.executionId);
    const delivery = await waitFor(
      async () => (await store.deliveries.get('prod', `${executionId}-r0`)) ?? undefined,
      { timeoutMs: 20_000, description: 'the failed delivery' },
    );
    expect(delivery).toMatchObject({ status: 'failed', reason: 'header-injection', attempts: 1 });
  });

  it('shuts down gracefully on SIGTERM', async () => {
    const spare = await startWorkerProcess(env);
    expect(await spare.stop('SIGTERM')).toBe(0);
    expect(spare.logs().some((line) => line.msg === 'worker stopped')).toBe(true);
  });
});
