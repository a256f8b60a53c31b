import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES } from '@herald/contracts';
import { orderShippedCampaign, smsCampaignFixture } from '@herald/testing';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';
import { createLiveCampaign, waitingEmailJobs } from './trigger-setup.fixture';

/** Recipients as AJO callers write them: national phone numbers, namespaces in any case, unknown profiles. */
describe('AJO-shaped recipients', () => {
  let h: ApiHarness;
  let connection: Redis;
  let smsQueue: Queue;

  beforeAll(async () => {
    h = await startApiHarness('ajo-recipients');
    connection = new Redis(h.config.redis.url, { maxRetriesPerRequest: null });
    smsQueue = new Queue(QUEUE_NAMES.sms, { connection, prefix: h.config.redis.queuePrefix });
  });
  afterAll(async () => {
    await smsQueue.obliterate({ force: true });
    await smsQueue.close();
    connection.disconnect();
    await h.close();
  });
  beforeEach(async () => {
    await h.emailQueue.drain(true);
    await smsQueue.drain(true);
  });

  const sms = (mobilePhoneNumber: string) => ({
    type: 'external',
    namespace: 'phone',
    userId: `u-${mobilePhoneNumber}`,
    channelData: { mobilePhoneNumber },
    context: { code: '1234' },
  });

  describe('phone numbers', () => {
    it('refuses a number without + when no region is set, naming the recipient and field', async () => {
      // A sandbox of its own, with no settings.
      const own = await h.api
        .post('/campaigns')
        .set('x-sandbox-name', 'no-region')
        .send(smsCampaignFixture)
        .expect(201);
      await h.api.post(`/campaigns/${own.body.id}/activate`).set('x-sandbox-name', 'no-region').expect(200);
      const refused = await h.api
        .post('/im/executions/unitary')
        .set('x-sandbox-name', 'no-region')
        .send({
          requestId: 'p-1',
          campaignId: own.body.id,
          recipients: [sms('+33 6 12 34 56 78'), sms('(415) 555-0100')],
        })
        .expect(400);
      expect(refused.body).toMatchObject({
        code: 'invalid-phone-number',
        errors: [
          {
            recipientIndex: 1,
            path: '/recipients/1/channelData/mobilePhoneNumber',
            code: 'invalid-phone-number',
          },
        ],
      });
      expect(refused.body.errors).toHaveLength(1);
      expect((await smsQueue.getJobCounts('waiting')).waiting).toBe(0);
    });

    it("reads national numbers in the sandbox's region and queues them in E.164", async () => {
      await h.api
        .put('/settings')
        .send({ sms: { defaultRegion: 'US' } })
        .expect(200);
      const campaignId = await createLiveCampaign(h, smsCampaignFixture);
      await h.api
        .post('/im/executions/unitary')
        .send({
          requestId: 'p-2',
          campaignId,
          recipients: [sms('111-111-1111'), sms('(415) 555-0100'), sms('+33 6 12 34 56 78')],
        })
        .expect(202);
      const jobs = await smsQueue.getJobs(['waiting']);
      const numbers = jobs
        .sort((a, b) => a.data.recipientIndex - b.data.recipientIndex)
        .map((job) => job.data.recipient.channelData.mobilePhoneNumber);
      expect(numbers).toEqual(['+11111111111', '+14155550100', '+33612345678']);
    });

    it("prefers the campaign's region, and refuses an impossible number", async () => {
      const campaignId = await createLiveCampaign(h, {
        ...smsCampaignFixture,
        channelConfig: { sms: { sender: 'Shop', defaultRegion: 'TW' } },
      });
      await h.api
        .post('/im/executions/unitary')
        .send({ requestId: 'p-3', campaignId, recipients: [sms('0921234567')] })
        .expect(202);
      const [job] = await smsQueue.getJobs(['waiting']);
      expect(job?.data.recipient.channelData.mobilePhoneNumber).toBe('+886921234567');
      const refused = await h.api
        .post('/im/executions/unitary')
        .send({ requestId: 'p-4', campaignId, recipients: [sms('0921234567'), sms('12')] })
        .expect(400);
      expect(refused.body.errors).toEqual([
        expect.objectContaining({ recipientIndex: 1, path: '/recipients/1/channelData/mobilePhoneNumber' }),
      ]);
    });

    it('refuses an unknown region in the settings and in a campaign', async () => {
      const settings = await h.api
        .put('/settings')
        .set('x-sandbox-name', 'bad-region')
        .send({ sms: { defaultRegion: 'ZZ' } })
        .expect(400);
      expect(settings.body.errors).toEqual([
        expect.objectContaining({ path: '/sms/defaultRegion', code: 'unknown-region' }),
      ]);
      const campaign = await h.api
        .post('/campaigns')
        .send({ ...smsCampaignFixture, channelConfig: { sms: { sender: 'Shop', defaultRegion: 'ZZ' } } })
        .expect(400);
      expect(campaign.body.errors).toEqual([
        expect.objectContaining({ path: '/channelConfig/sms/defaultRegion', code: 'unknown-region' }),
      ]);
    });
  });

  describe('namespaces', () => {
    it('takes Email and email as one identity, stored lower-case', async () => {
      await h.api
        .post('/profiles/upsert')
        .send({ identities: [{ namespace: 'Email', id: 'case@example.com' }], attributes: { a: 1 } })
        .expect(200);
      await h.api
        .post('/profiles/upsert')
        .send({ identities: [{ namespace: 'email', id: 'case@example.com' }], attributes: { b: 2 } })
        .expect(200);
      const profile = await h.store.profiles.findByIdentity('prod', {
        namespace: 'EMAIL',
        id: 'case@example.com',
      });
      expect(profile).toMatchObject({
        identities: [{ namespace: 'email', id: 'case@example.com' }],
        attributes: { a: 1, b: 2 },
      });
    });

    it('queues recipients with lower-case namespaces and finds their profiles in any case', async () => {
      await h.store.profiles.create('prod', {
        identities: [{ namespace: 'email', id: 'known@example.com' }],
      });
      const campaignId = await createLiveCampaign(h, orderShippedCampaign({ createProfiles: false }));
      await h.api
        .post('/im/executions/unitary')
        .send({
          requestId: 'n-1',
          campaignId,
          recipients: [
            {
              type: 'aep',
              namespace: 'Email',
              userId: 'known@example.com',
              context: { orderId: 'A', total: 1 },
            },
          ],
        })
        .expect(202);
      const [job] = await h.emailQueue.getJobs(['waiting']);
      expect(job?.data.recipient).toMatchObject({ namespace: 'email', userId: 'known@example.com' });
    });
  });

  describe('unknown profiles with createProfiles off', () => {
    const aep = (email: string) => ({
      type: 'aep',
      namespace: 'email',
      userId: email,
      context: { orderId: 'A', total: 1 },
    });

    it('rejects the call by default, listing each unknown recipient, and queues nothing', async () => {
      await h.store.profiles.create('prod', { identities: [{ namespace: 'email', id: 'here@example.com' }] });
      const campaignId = await createLiveCampaign(h, orderShippedCampaign({ createProfiles: false }));
      const res = await h.api
        .post('/im/executions/unitary')
        .send({
          requestId: 'u-1',
          campaignId,
          recipients: [aep('gone1@example.com'), aep('here@example.com'), aep('gone2@example.com')],
        })
        .expect(400);
      expect(res.body).toMatchObject({
        code: 'unknown-profiles',
        errors: [
          { recipientIndex: 0, path: '/recipients/0/userId', code: 'profile-not-found' },
          { recipientIndex: 2, path: '/recipients/2/userId', code: 'profile-not-found' },
        ],
      });
      expect(res.body.errors).toHaveLength(2);
      expect(await waitingEmailJobs(h)).toBe(0);
      const dryRun = await h.api
        .post('/im/executions/unitary')
        .query({ dryRun: 'true' })
        .send({ requestId: 'u-1', campaignId, recipients: [aep('gone1@example.com')] });
      expect(dryRun.status).toBe(400);
    });

    it('accepts the call with unknownProfiles exclude, leaving the worker to exclude them', async () => {
      const campaignId = await createLiveCampaign(
        h,
        orderShippedCampaign({ createProfiles: false, unknownProfiles: 'exclude' }),
      );
      await h.api
        .post('/im/executions/unitary')
        .send({
          requestId: 'u-2',
          campaignId,
          recipients: [aep('gone1@example.com'), aep('gone2@example.com')],
        })
        .expect(202);
      expect(await waitingEmailJobs(h)).toBe(2);
    });
  });
});
