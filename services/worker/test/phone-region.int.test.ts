import { smsCampaignFixture } from '@herald/testing';
import { startWorkerHarness, type WorkerHarness } from './worker-harness.fixture';

/** Profile phone numbers without `+` are read in the campaign's region, else the sandbox's. */
describe('worker phone numbers (real Redis, real embedded store)', () => {
  let h: WorkerHarness;

  beforeAll(async () => {
    h = await startWorkerHarness('phone-region');
  });
  afterAll(async () => h?.stop());

  const aep = (phone: string) => ({
    type: 'aep' as const,
    namespace: 'crmid',
    userId: `c-${phone}`,
    context: { code: '1234' },
  });

  async function sentTo(sandbox: string, region: string | undefined, phone: string) {
    await h.store.profiles.create(sandbox, {
      identities: [{ namespace: 'crmid', id: `c-${phone}` }],
      attributes: { phone },
    });
    const version = await h.liveCampaign(
      {
        ...smsCampaignFixture,
        unknownProfiles: 'exclude',
        channelConfig: { sms: { sender: 'Shop', ...(region ? { defaultRegion: region } : {}) } },
      },
      sandbox,
    );
    const { executionId } = await h.enqueue(version, [aep(phone)]);
    const [record] = await h.settled(executionId, 1, undefined, sandbox);
    return record;
  }

  it("sends a national number in E.164, read in the sandbox's region", async () => {
    await h.store.settings.put('us', { frequencyCaps: {}, sms: { defaultRegion: 'US' } });
    expect(await sentTo('us', undefined, '(415) 555-0100')).toMatchObject({
      status: 'sent',
      address: '+14155550100',
    });
  });

  it("prefers the campaign's region to the sandbox's", async () => {
    await h.store.settings.put('tw', { frequencyCaps: {}, sms: { defaultRegion: 'US' } });
    expect(await sentTo('tw', 'TW', '0921234567')).toMatchObject({
      status: 'sent',
      address: '+886921234567',
    });
  });

  it('never guesses a country: digits without + and no region leave no address', async () => {
    expect(await sentTo('none', undefined, '4155550101')).toMatchObject({
      status: 'excluded',
      reason: 'no-address',
    });
  });
});
