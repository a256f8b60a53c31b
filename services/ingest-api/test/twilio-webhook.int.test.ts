import type { Server } from 'node:http';
import { Redis } from 'ioredis';
import { TwilioAdapter } from '@herald/channels';
import { DeliveryCounters } from '@herald/queues';
import { freePort } from '@herald/testing';
import {
  startTwilioStandin,
  twilioSignature,
  type AcceptedSms,
  type TwilioStandin,
} from '@herald/channels/test-support';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';
import { deliveryKeys } from './delivery-keys.fixture';

const SANDBOX = 'prod';
const EXECUTION = 'exec-twilio-1';
const CAMPAIGN = 'campaign-twilio-1';

const keyOf = deliveryKeys(EXECUTION, CAMPAIGN, 'sms');

const numberOf = (index: number): string => `+1415555010${index}`;

/**
 * Status callbacks end to end on the API's side: the real Twilio adapter sends to the stand-in
 * with the per-delivery callback URL, the stand-in calls the listening API back as Twilio does
 * (form POST, X-Twilio-Signature), and the API checks and applies it.
 */
describe('Twilio status callback', () => {
  let h: ApiHarness;
  let server: Server;
  let twilio: TwilioStandin;
  let adapter: TwilioAdapter;
  let redis: Redis;
  let counters: DeliveryCounters;
  let callbackUrl: string;

  beforeAll(async () => {
    twilio = await startTwilioStandin();
    const port = await freePort();
    callbackUrl = `http://127.0.0.1:${port}/webhooks/twilio`;
    h = await startApiHarness('twilio-webhook', {
      SMS_PROVIDER: 'twilio',
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_API_URL: twilio.url,
      TWILIO_STATUS_CALLBACK_URL: callbackUrl,
      SOFT_BOUNCE_LIMIT: '2',
    });
    server = h.runtime.app.listen(port, '127.0.0.1');
    adapter = new TwilioAdapter({
      accountSid: twilio.accountSid,
      authToken: twilio.authToken,
      baseUrl: twilio.url,
      statusCallbackUrl: callbackUrl,
    });
    redis = new Redis(h.config.redis.url);
    counters = new DeliveryCounters(redis, h.config.redis.queuePrefix);
  });
  afterAll(async () => {
    await adapter?.close();
    await new Promise((resolve) => server?.close(resolve));
    redis?.disconnect();
    await h?.close();
    await twilio?.close();
  });

  /** Sends delivery `index` through the adapter and records it `sent`, as a worker does. */
  const sent = async (index: number, to = numberOf(index)): Promise<AcceptedSms> => {
    const key = keyOf(index);
    const { providerMessageId } = await adapter.send({
      channel: 'sms',
      deliveryId: key.id,
      executionId: EXECUTION,
      sandbox: SANDBOX,
      from: '+15005550006',
      to,
      body: `Your code is ${index}`,
    });
    await h.store.deliveries.record(key, {
      event: { status: 'sent', at: new Date().toISOString() },
      address: to,
      providerMessageId,
    });
    const scope = { sandbox: SANDBOX, executionId: EXECUTION, campaignId: CAMPAIGN };
    await counters.apply([{ scope, from: null, to: 'sent' }]);
    const sms = twilio.accepted.find((accepted) => accepted.sid === providerMessageId);
    if (!sms) throw new Error('the stand-in did not accept the message');
    return sms;
  };
  const recordOf = (index: number) => h.store.deliveries.get(SANDBOX, keyOf(index).id);

  it('records delivered from a signed callback and ignores the statuses before it', async () => {
    const sms = await sent(0);
    expect(await twilio.postStatus(sms, 'sent')).toMatchObject({
      status: 200,
      body: { ignored: 1, applied: 0 },
    });
    expect(await twilio.postStatus(sms, 'delivered')).toEqual({
      status: 200,
      body: { received: 1, applied: 1, unchanged: 0, unknown: 0, ignored: 0, suppressed: 0 },
    });
    expect(await recordOf(0)).toMatchObject({ status: 'delivered' });
    expect(await counters.execution(SANDBOX, EXECUTION)).toMatchObject({ sent: 1, delivered: 1 });
  });

  it('bounces an undelivered message and suppresses a number the carrier does not know', async () => {
    const unknownNumber = await sent(1);
    const busy = await sent(2);
    expect(await twilio.postStatus(unknownNumber, 'undelivered', { ErrorCode: '30005' })).toMatchObject({
      status: 200,
      body: { applied: 1, suppressed: 1 },
    });
    expect(await twilio.postStatus(busy, 'undelivered', { ErrorCode: '30003' })).toMatchObject({
      status: 200,
      body: { applied: 1, suppressed: 0 },
    });
    const bounced = await recordOf(1);
    expect(bounced).toMatchObject({ status: 'bounced', reason: 'hard-bounce' });
    expect(bounced?.history.at(-1)?.detail).toBe('Twilio error 30005');
    expect(await recordOf(2)).toMatchObject({ status: 'bounced', reason: 'undelivered' });
    expect(await h.store.suppressions.find(SANDBOX, 'sms', numberOf(1))).toMatchObject({
      reason: 'hard-bounce',
      source: 'twilio',
    });
    expect(await h.store.suppressions.find(SANDBOX, 'sms', numberOf(2))).toBeNull();
  });

  it("counts only recipient-level failures towards a number's run of soft bounces", async () => {
    // SOFT_BOUNCE_LIMIT is 2 here: two counted failures in a row suppress the number.
    const shared = '+14155550199';
    // Queue overflow, account suspended, carrier filtering: none is about the number.
    for (const [offset, code] of ['30001', '30002', '30007'].entries()) {
      const sms = await sent(5 + offset, shared);
      expect(await twilio.postStatus(sms, 'failed', { ErrorCode: code })).toMatchObject({
        status: 200,
        body: { applied: 1, suppressed: 0 },
      });
    }
    expect(await recordOf(5)).toMatchObject({ status: 'bounced', reason: 'failed' });
    expect(await h.store.suppressions.find(SANDBOX, 'sms', shared)).toBeNull();
    for (const index of [8, 9]) {
      await twilio.postStatus(await sent(index, shared), 'undelivered', { ErrorCode: '30003' });
    }
    expect(await h.store.suppressions.find(SANDBOX, 'sms', shared)).toMatchObject({
      reason: 'soft-bounce-limit',
      source: 'twilio',
    });
  });

  it('suppresses a number the carrier does not know even without a record of the delivery', async () => {
    const sms = await sent(4);
    const url = new URL(sms.statusCallback!);
    url.searchParams.set('deliveryId', 'exec-never-recorded-r0');
    const stray = { ...sms, to: '+14155550177', statusCallback: url.toString() };
    expect(await twilio.postStatus(stray, 'undelivered', { ErrorCode: '30005' })).toMatchObject({
      status: 200,
      body: { unknown: 1, suppressed: 1 },
    });
    expect(await h.store.suppressions.find(SANDBOX, 'sms', '+14155550177')).toMatchObject({
      channel: 'sms',
      reason: 'hard-bounce',
    });
  });

  it('refuses a callback whose signature does not match its URL, token or parameters, changing nothing', async () => {
    const sms = await sent(3);
    const url = sms.statusCallback!;
    const params = { MessageSid: sms.sid, MessageStatus: 'delivered', To: sms.to };
    const post = (target: string, signature?: string) =>
      fetch(target, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(signature ? { 'x-twilio-signature': signature } : {}),
        },
        body: new URLSearchParams(params).toString(),
      });
    // Signed for this delivery's URL, sent to another delivery's.
    const moved = await post(
      url.replace(`${EXECUTION}-r3`, `${EXECUTION}-r0`),
      twilioSignature(twilio.authToken, url, params),
    );
    expect(moved.status).toBe(401);
    expect(((await moved.json()) as { code: string }).code).toBe('invalid-signature');
    expect((await post(url, twilioSignature('not-the-auth-token', url, params))).status).toBe(401);
    expect(
      (await post(url, twilioSignature(twilio.authToken, url, { ...params, MessageStatus: 'sent' }))).status,
    ).toBe(401);
    expect((await post(url)).status).toBe(401);
    expect(await recordOf(3)).toMatchObject({ status: 'sent' });
    expect(await recordOf(0)).toMatchObject({ status: 'delivered' });
    expect((await post(url, twilioSignature(twilio.authToken, url, params))).status).toBe(200);
    expect(await recordOf(3)).toMatchObject({ status: 'delivered' });
  });
});
