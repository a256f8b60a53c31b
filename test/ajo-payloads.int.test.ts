import type { Delivery } from '@herald/contracts';
import type { Store } from '@herald/store';
import {
  orderShippedCampaign,
  pushCampaignFixture,
  pushSubscriptionKeys,
  smsCampaignFixture,
  waitFor,
} from '@herald/testing';
import {
  PROCESS_ADMIN_KEY,
  createLiveCampaign,
  postJson,
  startHeraldSystem,
  type HeraldSystem,
} from './support/herald-processes';

/**
 * The payload shapes of Adobe Journey Optimizer's Interactive Message Execution documentation,
 * sent unchanged to matching campaigns, each ending in a delivered message.
 */
describe('AJO execution payload shapes, end to end', () => {
  let store: Store;
  let apiUrl: string;
  let system: HeraldSystem;

  beforeAll(async () => {
    system = await startHeraldSystem('ajo');
    ({ store, apiUrl } = system);
  });
  afterAll(async () => system?.stop());

  const delivered = async (executionId: string, count: number): Promise<Delivery[]> =>
    waitFor(
      async () => {
        const page = await store.deliveries.listByExecution('prod', executionId);
        return page.items.length === count && page.items.every((d) => d.status === 'sent')
          ? page.items
          : undefined;
      },
      { timeoutMs: 30_000, description: `${count} sent deliveries of ${executionId}` },
    );

  const trigger = async (campaignId: string, recipients: unknown[]): Promise<string> => {
    const res = await postJson(`${apiUrl}/im/executions/unitary`, {
      requestId: `ajo-${campaignId}-${recipients.length}-${Date.now()}`,
      campaignId,
      recipients,
    });
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 202 });
    return String(res.body.executionId);
  };

  it('delivers an SMS to a phone identity', async () => {
    const campaignId = await createLiveCampaign(apiUrl, { ...smsCampaignFixture, createProfiles: true });
    const executionId = await trigger(campaignId, [
      { type: 'aep', userId: '+33612345678', namespace: 'phone', context: { code: '424242' } },
    ]);
    const [sms] = await delivered(executionId, 1);
    expect(sms?.address).toBe('+33612345678');
  });

  it('delivers to several recipients with channelData overrides and context', async () => {
    const campaignId = await createLiveCampaign(apiUrl, orderShippedCampaign());
    const executionId = await trigger(campaignId, [
      {
        type: 'aep',
        userId: 'user-1@example.com',
        namespace: 'email',
        channelData: { emailAddress: 'override-1@example.com' },
        context: { orderId: 'A-1', total: 10 },
      },
      {
        type: 'aep',
        userId: 'user-2@example.com',
        namespace: 'email',
        channelData: { emailAddress: 'override-2@example.com' },
        context: { orderId: 'A-2', total: 20 },
      },
    ]);
    const deliveries = await delivered(executionId, 2);
    expect(deliveries.map((d) => d.address)).toEqual(['override-1@example.com', 'override-2@example.com']);
  });

  it('delivers a push message to the subscription given in channelData.pushInfo', async () => {
    const campaignId = await createLiveCampaign(apiUrl, pushCampaignFixture);
    const executionId = await trigger(campaignId, [
      {
        type: 'external',
        userId: 'device-7',
        namespace: 'ECID',
        channelData: {
          pushInfo: { endpoint: 'https://push.example.com/send/abc', keys: pushSubscriptionKeys() },
        },
        context: { orderId: 'P-7' },
      },
    ]);
    const [push] = await delivered(executionId, 1);
    expect(push?.address).toBe('https://push.example.com/send/abc');
  });

  it('delivers an e-mail with context and an inline profile', async () => {
    const campaignId = await createLiveCampaign(apiUrl, orderShippedCampaign());
    const executionId = await trigger(campaignId, [
      {
        type: 'aep',
        userId: 'inline@example.com',
        namespace: 'email',
        profile: { person: { name: { firstName: 'Inline' } } },
        context: { orderId: 'I-1', total: 1 },
      },
    ]);
    await delivered(executionId, 1);
  });

  it('accepts and delivers an e-mail naming a merge policy', async () => {
    const campaignId = await createLiveCampaign(apiUrl, orderShippedCampaign());
    const executionId = await trigger(campaignId, [
      {
        type: 'aep',
        userId: 'merge@example.com',
        namespace: 'email',
        mergePolicyName: 'Default Timebased',
        context: { orderId: 'M-1', total: 1 },
      },
    ]);
    await delivered(executionId, 1);
  });

  it('delivers an audience call with a global context to every member', async () => {
    const members = ['aud-1@example.com', 'aud-2@example.com'];
    for (const email of members) {
      // Marketing is opt-in: audience members need consent for the channel to be sent to.
      const created = await postJson(`${apiUrl}/profiles`, {
        identities: [{ namespace: 'email', id: email }],
        consents: { marketing: { email: 'y' } },
      });
      expect(created.status).toBe(201);
    }
    const audience = await postJson(`${apiUrl}/audiences`, {
      name: 'Two members',
      kind: 'static',
      identities: members.map((id) => ({ namespace: 'email', id })),
    });
    expect(audience.status).toBe(201);
    const campaignId = await createLiveCampaign(apiUrl, {
      ...orderShippedCampaign(),
      type: 'marketing',
      audience: { id: String(audience.body.id) },
    });
    const res = await postJson(`${apiUrl}/im/executions/audience`, {
      requestId: 'ajo-audience-1',
      campaignId,
      context: { orderId: 'SALE', total: 0 },
    });
    expect(res.status).toBe(202);
    const executionId = String(res.body.executionId);
    const deliveries = await delivered(executionId, 2);
    expect(deliveries.map((d) => d.address).sort()).toEqual(members);
    const status = await fetch(`${apiUrl}/im/executions/audience/${executionId}`, {
      headers: { authorization: `Bearer ${PROCESS_ADMIN_KEY}` },
    });
    expect(await status.json()).toMatchObject({ status: 'Succeeded', targetedProfileCount: 2 });
  });
});
