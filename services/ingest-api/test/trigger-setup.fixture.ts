import type { CampaignDefinition } from '@herald/contracts';
import type { ApiHarness } from './api-harness.fixture';

/** Creates a campaign through the API and activates it, as a caller would; answers its id. */
export async function createLiveCampaign(h: ApiHarness, definition: CampaignDefinition): Promise<string> {
  const created = await h.api.post('/campaigns').send(definition).expect(201);
  await h.api.post(`/campaigns/${created.body.id}/activate`).expect(200);
  return String(created.body.id);
}

/** Jobs waiting in the e-mail queue: what a trigger call has queued and no worker has taken. */
export async function waitingEmailJobs(h: ApiHarness): Promise<number> {
  return (await h.emailQueue.getJobCounts('waiting')).waiting ?? 0;
}

/** A unitary call to an order-shipped campaign for two `aep` recipients, user0@ and user1@example.com. */
export function twoRecipientCall(campaignId: string, requestId: string, total = 10) {
  return {
    requestId,
    campaignId,
    recipients: [0, 1].map((index) => ({
      type: 'aep',
      userId: `user${index}@example.com`,
      namespace: 'email',
      context: { orderId: `O-${index}`, total },
    })),
  };
}
