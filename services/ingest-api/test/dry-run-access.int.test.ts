import request from 'supertest';
import { orderShippedCampaign } from '@herald/testing';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';
import { createLiveCampaign } from './trigger-setup.fixture';

const EXECUTE_KEY = 'dry-run-execute-key-0123456789abcdefghij';
const MANAGE_KEY = 'dry-run-manage-key-0123456789abcdefghijk';
const KNOWN = 'known@example.com';
const UNKNOWN = 'stranger@example.com';

describe('what a dry run shows, by the caller role', () => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await startApiHarness('dry-run-access');
    await h.addApiKey(EXECUTE_KEY, { name: 'trigger only', roles: ['execute'], sandboxes: ['prod'] });
    await h.addApiKey(MANAGE_KEY, { name: 'manager', roles: ['execute', 'manage'], sandboxes: ['prod'] });
    await h.store.profiles.upsert('prod', {
      identities: [{ namespace: 'email', id: KNOWN }],
      attributes: { person: { name: { firstName: 'Rosalind' } } },
    });
  });
  afterAll(async () => h.close());

  const dryRun = (key: string, path: string, campaignId: string, recipient: object) =>
    request(h.runtime.app)
      .post(`/im/executions/${path}?dryRun=true`)
      .set('authorization', `Bearer ${key}`)
      .send({
        requestId: 'dry-access',
        campaignId,
        recipients: [{ ...recipient, context: { orderId: 'R-1', total: 7 } }],
      })
      .expect(200);
  const aep = (userId: string) => ({ type: 'aep', userId, namespace: 'email' });

  // A campaign that creates unknown profiles, and one that excludes them: the full answer tells a
  // known identity from an unknown one in both.
  it.each([
    ['creates profiles', {}],
    ['excludes unknown profiles', { createProfiles: false, unknownProfiles: 'exclude' as const }],
  ])(
    'answers an execute-only key the same for a known profile and an unknown identity, without address or message, when the campaign %s',
    async (_case, overrides) => {
      const campaignId = await createLiveCampaign(h, orderShippedCampaign(overrides));
      const known = await dryRun(EXECUTE_KEY, 'unitary', campaignId, aep(KNOWN));
      const unknown = await dryRun(EXECUTE_KEY, 'unitary', campaignId, aep(UNKNOWN));

      const redacted = {
        dryRun: true,
        campaignId,
        campaignVersion: 1,
        recipients: [{ index: 0, outcome: 'would-queue' }],
      };
      expect(known.body).toEqual(redacted);
      expect(unknown.body).toEqual(redacted);
      expect(JSON.stringify(known.body)).not.toMatch(/known@|Rosalind|R-1/);
    },
  );

  it('shows a manage key the address, the rendered message and the profile outcome', async () => {
    const campaignId = await createLiveCampaign(
      h,
      orderShippedCampaign({ createProfiles: false, unknownProfiles: 'exclude' }),
    );
    const known = await dryRun(MANAGE_KEY, 'unitary', campaignId, aep(KNOWN));
    const unknown = await dryRun(MANAGE_KEY, 'unitary', campaignId, aep(UNKNOWN));

    expect(known.body.recipients).toEqual([
      {
        index: 0,
        outcome: 'send',
        address: KNOWN,
        locale: 'en',
        message: expect.objectContaining({ to: KNOWN, subject: 'Hi Rosalind, order R-1' }),
      },
    ]);
    expect(unknown.body.recipients).toEqual([{ index: 0, outcome: 'excluded', reason: 'profile-not-found' }]);
  });

  it('keeps the address and message of a highthroughput dry run to manage keys', async () => {
    const campaignId = await createLiveCampaign(h, orderShippedCampaign());
    const external = {
      type: 'external',
      userId: 'crm-1',
      namespace: 'crmId',
      channelData: { emailAddress: KNOWN },
    };

    const executeOnly = await dryRun(EXECUTE_KEY, 'highthroughput', campaignId, external);
    expect(executeOnly.body.recipients).toEqual([{ index: 0, outcome: 'would-queue' }]);
    const manager = await dryRun(MANAGE_KEY, 'highthroughput', campaignId, external);
    expect(manager.body.recipients).toEqual([
      expect.objectContaining({ index: 0, outcome: 'send', address: KNOWN, message: expect.any(Object) }),
    ]);
  });
});
