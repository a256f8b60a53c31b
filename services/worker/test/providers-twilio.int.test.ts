import type { Recipient } from '@herald/contracts';
import { smsCampaignFixture } from '@herald/testing';
import { startTwilioStandin, type TwilioStandin } from '@herald/channels/test-support';
import { startWorkerHarness, type WorkerHarness } from './worker-harness.fixture';

const STATUS_CALLBACK_URL = 'https://herald.example/webhooks/twilio/status';

/** A recipient known only to the caller's CRM, reached at the number the call gives. */
const caller = (mobilePhoneNumber: string, code: string): Recipient => ({
  type: 'external',
  namespace: 'crmId',
  userId: `crm-${code}`,
  channelData: { mobilePhoneNumber },
  context: { code },
});

describe('worker delivering SMS through the Twilio SDK to the Twilio stand-in', () => {
  let twilio: TwilioStandin;
  let h: WorkerHarness;

  beforeAll(async () => {
    twilio = await startTwilioStandin();
    h = await startWorkerHarness('providers-twilio', {
      SMS_PROVIDER: 'twilio',
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_API_URL: twilio.url,
      TWILIO_STATUS_CALLBACK_URL: STATUS_CALLBACK_URL,
      PROVIDER_TIMEOUT_MS: '2000',
    });
  });
  afterEach(() => twilio.behave({}));
  afterAll(async () => {
    await h?.stop();
    await twilio?.close();
  });

  it("sends to the call's mobile number in E.164 and records the message sid", async () => {
    const version = await h.liveCampaign(smsCampaignFixture);
    const { executionId } = await h.enqueue(version, [caller('+33 6 12 34 56 78', '4821')]);
    const [record] = await h.settled(executionId, 1);
    const sms = twilio.accepted.find((message) => message.body.endsWith('4821'));
    expect(sms).toMatchObject({
      to: '+33612345678',
      from: 'Shop',
      body: 'Hi there, your code is 4821',
      statusCallback: `${STATUS_CALLBACK_URL}?sandbox=${version.sandbox}&deliveryId=${record!.id}`,
    });
    expect(sms?.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(record).toMatchObject({
      status: 'sent',
      attempts: 1,
      address: '+33612345678',
      providerMessageId: sms!.sid,
    });
  });

  it('fails a number Twilio refuses (error 21211) at once, without a retry', async () => {
    twilio.behave({ status: 400 });
    const before = twilio.requestCount;
    const version = await h.liveCampaign(smsCampaignFixture);
    const { executionId } = await h.enqueue(version, [caller('+15005550001', '9999')]);
    const [record] = await h.settled(executionId, 1);
    expect(record).toMatchObject({ status: 'failed', reason: 'provider-rejected', attempts: 1 });
    expect(record?.lastError).toContain('Twilio error 21211');
    // Twilio's message quotes the number: only its code may reach the record.
    expect(record?.lastError).not.toContain('5550001');
    expect(twilio.requestCount - before).toBe(1);
  });
});
