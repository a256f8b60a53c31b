import { Redis } from 'ioredis';
import { DeliveryCounters } from '@herald/queues';
import { SendGridEventWebhook } from '@herald/channels/test-support';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';
import { deliveryKeys } from './delivery-keys.fixture';

const SANDBOX = 'prod';
const EXECUTION = 'exec-webhook-1';
const CAMPAIGN = 'campaign-webhook-1';

/** SendGrid's signing side: the API gets its verification key, as SendGrid shows it. */
const sendGrid = new SendGridEventWebhook();

const keyOf = deliveryKeys(EXECUTION, CAMPAIGN, 'email');

/** An event as SendGrid posts it: Herald's custom args copied to the top level. */
const event = (index: number, kind: string, extra: Record<string, unknown> = {}) => ({
  email: `Person${index}@Example.com`,
  timestamp: 1_790_000_000 + index,
  event: kind,
  sg_event_id: `evt-${index}-${kind}`,
  sg_message_id: 'msg-1.filter',
  sandbox: SANDBOX,
  execution_id: EXECUTION,
  delivery_id: `${EXECUTION}-r${index}`,
  ...extra,
});

describe('SendGrid event webhook', () => {
  let h: ApiHarness;
  let redis: Redis;
  let counters: DeliveryCounters;

  beforeAll(async () => {
    h = await startApiHarness('sendgrid-webhook', {
      SENDGRID_WEBHOOK_PUBLIC_KEY: sendGrid.verificationKey,
      SOFT_BOUNCE_LIMIT: '3',
    });
    redis = new Redis(h.config.redis.url);
    counters = new DeliveryCounters(redis, h.config.redis.queuePrefix);
    // Ten deliveries as a worker leaves them: sent, with their address, and counted.
    for (let index = 0; index < 10; index += 1) {
      await h.store.deliveries.record(keyOf(index), {
        event: { status: 'sent', at: new Date().toISOString() },
        address: `person${index}@example.com`,
        providerMessageId: 'msg-1',
      });
    }
    await counters.apply(
      Array.from({ length: 10 }, () => ({
        scope: { sandbox: SANDBOX, executionId: EXECUTION, campaignId: CAMPAIGN },
        from: null,
        to: 'sent' as const,
      })),
    );
  });
  afterAll(async () => {
    redis.disconnect();
    await h.close();
  });

  const post = (body: string, headers: { timestamp?: number; signature?: string } = {}) => {
    const signedHeaders = sendGrid.headersFor(body, headers.timestamp ?? Math.floor(Date.now() / 1000));
    if (headers.signature) signedHeaders['x-twilio-email-event-webhook-signature'] = headers.signature;
    return h.api.post('/webhooks/sendgrid').set(signedHeaders).send(body);
  };
  const statusOf = async (index: number) => (await h.store.deliveries.get(SANDBOX, keyOf(index).id))?.status;

  it('moves records along the funnel from signed events and counts each move once', async () => {
    const body = JSON.stringify([event(0, 'delivered'), event(1, 'open'), event(2, 'click')]);
    const res = await post(body).expect(200);
    expect(res.body).toEqual({
      received: 3,
      applied: 3,
      unchanged: 0,
      unknown: 0,
      ignored: 0,
      suppressed: 0,
    });
    expect([await statusOf(0), await statusOf(1), await statusOf(2)]).toEqual([
      'delivered',
      'opened',
      'clicked',
    ]);
    const record = await h.store.deliveries.get(SANDBOX, keyOf(1).id);
    expect(record?.history.map((entry) => entry.status)).toEqual(['sent', 'opened']);
    expect(record?.history[1]?.at).toBe(new Date((1_790_000_000 + 1) * 1000).toISOString());
    expect(await counters.execution(SANDBOX, EXECUTION)).toMatchObject({
      sent: 10,
      delivered: 3,
      opened: 2,
      clicked: 1,
    });

    const again = await post(body).expect(200);
    expect(again.body).toMatchObject({ applied: 0, unchanged: 3 });
    const older = await post(JSON.stringify([event(2, 'delivered')])).expect(200);
    expect(older.body).toMatchObject({ applied: 0, unchanged: 1 });
    expect(await statusOf(2)).toBe('clicked');
    expect(await counters.execution(SANDBOX, EXECUTION)).toMatchObject({
      delivered: 3,
      opened: 2,
      clicked: 1,
    });
    // The reports over time count what happened, once per report however often it is posted: the
    // late delivered report of delivery 2 too, which moved no record.
    const counted = await h.store.engagement.count(
      { sandbox: SANDBOX, executionId: EXECUTION, from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' },
      { by: 'reason' },
    );
    expect(Object.fromEntries(counted.map((row) => [row.kind, row.total]))).toEqual({
      delivered: 2,
      opened: 1,
      clicked: 1,
    });
  });

  it('suppresses the address of a hard bounce and of a spam report; records a blocked bounce without suppressing', async () => {
    const body = JSON.stringify([
      event(3, 'bounce', { type: 'bounce', reason: '550 5.1.1 person3@example.com does not exist' }),
      event(4, 'spamreport'),
      event(5, 'bounce', { type: 'blocked', reason: '421 try later' }),
    ]);
    const res = await post(body).expect(200);
    expect(res.body).toEqual({
      received: 3,
      applied: 2,
      unchanged: 0,
      unknown: 0,
      ignored: 0,
      suppressed: 2,
    });
    const bounced = await h.store.deliveries.get(SANDBOX, keyOf(3).id);
    expect(bounced).toMatchObject({ status: 'bounced', reason: 'hard-bounce' });
    expect(bounced?.history.at(-1)?.detail).toBe('550 5.1.1 [address] does not exist');
    expect(await h.store.suppressions.find(SANDBOX, 'email', 'person3@example.com')).toMatchObject({
      reason: 'hard-bounce',
      source: 'sendgrid',
    });
    expect(await statusOf(4)).toBe('sent');
    expect(await h.store.suppressions.find(SANDBOX, 'email', 'person4@example.com')).toMatchObject({
      reason: 'spam-complaint',
    });
    expect(await h.store.deliveries.get(SANDBOX, keyOf(5).id)).toMatchObject({
      status: 'bounced',
      reason: 'soft-bounce',
    });
    expect(await h.store.suppressions.find(SANDBOX, 'email', 'person5@example.com')).toBeNull();
    expect(await counters.execution(SANDBOX, EXECUTION)).toMatchObject({ sent: 10, bounced: 2 });
  });

  it('suppresses an address after SOFT_BOUNCE_LIMIT soft bounces in a row; a delivered message restarts the run', async () => {
    // Six messages to one address, as six executions of a password-reset campaign would leave them.
    for (let index = 20; index < 26; index += 1) {
      await h.store.deliveries.record(keyOf(index), {
        event: { status: 'sent', at: new Date().toISOString() },
        address: 'flaky@example.com',
      });
    }
    const blocked = (index: number) =>
      event(index, 'bounce', { type: 'blocked', email: 'flaky@example.com' });
    await post(
      JSON.stringify([blocked(20), blocked(21), event(22, 'delivered'), blocked(23), blocked(24)]),
    ).expect(200);
    expect(await h.store.suppressions.find(SANDBOX, 'email', 'flaky@example.com')).toBeNull();
    // The same report again is not a new bounce.
    await post(JSON.stringify([blocked(24)])).expect(200);
    expect(await h.store.suppressions.find(SANDBOX, 'email', 'flaky@example.com')).toBeNull();
    const third = await post(JSON.stringify([blocked(25)])).expect(200);
    expect(third.body).toMatchObject({ applied: 1, suppressed: 1 });
    expect(await h.store.suppressions.find(SANDBOX, 'email', 'flaky@example.com')).toMatchObject({
      reason: 'soft-bounce-limit',
      source: 'sendgrid',
    });
  });

  it('suppresses the address of a hard bounce or spam report about a delivery it has no record of', async () => {
    const unknown = (index: number, kind: string, extra: Record<string, unknown> = {}) => ({
      ...event(index, kind, extra),
      delivery_id: `exec-not-recorded-r${index}`,
    });
    const res = await post(
      JSON.stringify([
        unknown(40, 'bounce', { type: 'bounce', reason: '550 no such user' }),
        unknown(41, 'spamreport'),
        unknown(42, 'bounce', { type: 'blocked', reason: '421 try later' }),
        unknown(43, 'delivered'),
      ]),
    ).expect(200);
    expect(res.body).toMatchObject({ applied: 0, unknown: 4, suppressed: 2 });
    expect(await h.store.suppressions.find(SANDBOX, 'email', 'person40@example.com')).toMatchObject({
      channel: 'email',
      reason: 'hard-bounce',
      source: 'sendgrid',
    });
    expect(await h.store.suppressions.find(SANDBOX, 'email', 'person41@example.com')).toMatchObject({
      reason: 'spam-complaint',
    });
    expect(await h.store.suppressions.find(SANDBOX, 'email', 'person42@example.com')).toBeNull();
    expect(await h.store.deliveries.get(SANDBOX, 'exec-not-recorded-r40')).toBeNull();
  });

  it('turns a spam complaint into a hard bounce when the address later bounces, so transactional mail stops too', async () => {
    await h.store.deliveries.record(keyOf(44), {
      event: { status: 'sent', at: new Date().toISOString() },
      address: 'person44@example.com',
    });
    await post(JSON.stringify([event(44, 'spamreport')])).expect(200);
    expect(await h.store.suppressions.find(SANDBOX, 'email', 'person44@example.com')).toMatchObject({
      reason: 'spam-complaint',
    });
    await post(JSON.stringify([event(44, 'bounce', { type: 'bounce', reason: '550 gone' })])).expect(200);
    expect(await h.store.suppressions.find(SANDBOX, 'email', 'person44@example.com')).toMatchObject({
      reason: 'hard-bounce',
    });
  });

  it('ends the run of soft bounces once the address is suppressed, and keeps addresses out of Redis keys', async () => {
    for (let index = 30; index < 34; index += 1) {
      await h.store.deliveries.record(keyOf(index), {
        event: { status: 'sent', at: new Date().toISOString() },
        address: 'restored@example.com',
      });
    }
    const blocked = (index: number) =>
      event(index, 'bounce', { type: 'blocked', email: 'restored@example.com' });
    await post(JSON.stringify([blocked(30), blocked(31)])).expect(200);
    const keys = await redis.keys(`${h.config.redis.queuePrefix}:softbounce:*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((key) => key.includes('@'))).toEqual([]);
    await post(JSON.stringify([blocked(32)])).expect(200);
    expect(await h.store.suppressions.find(SANDBOX, 'email', 'restored@example.com')).toMatchObject({
      reason: 'soft-bounce-limit',
    });
    // An operator lifts the suppression: the next soft bounce starts a new run.
    await h.store.suppressions.remove(SANDBOX, 'email', 'restored@example.com');
    await post(JSON.stringify([blocked(33)])).expect(200);
    expect(await h.store.suppressions.find(SANDBOX, 'email', 'restored@example.com')).toBeNull();
  });

  it('ignores events without Herald ids or of kinds it does not record, and creates nothing for unknown deliveries', async () => {
    const foreign = { email: 'x@example.com', timestamp: 1_790_000_000, event: 'delivered' };
    const unknown = { ...event(6, 'delivered'), delivery_id: 'exec-unknown-r0' };
    const res = await post(
      JSON.stringify([foreign, event(6, 'processed'), event(6, 'deferred'), unknown, 42]),
    ).expect(200);
    expect(res.body).toEqual({
      received: 5,
      applied: 0,
      unchanged: 0,
      unknown: 1,
      ignored: 4,
      suppressed: 0,
    });
    expect(await h.store.deliveries.get(SANDBOX, 'exec-unknown-r0')).toBeNull();
    expect(await statusOf(6)).toBe('sent');
  });

  it('refuses a request whose signature does not verify, is missing or is stale, and changes nothing', async () => {
    const body = JSON.stringify([event(7, 'delivered')]);
    // Signed for one body, sent with another.
    const signature = sendGrid.headersFor(body)['x-twilio-email-event-webhook-signature'];
    const tampered = await post(JSON.stringify([event(7, 'click')]), { signature }).expect(401);
    expect(tampered.body.code).toBe('invalid-signature');
    const unsigned = await h.api
      .post('/webhooks/sendgrid')
      .set('content-type', 'application/json')
      .send(body)
      .expect(401);
    expect(unsigned.body.code).toBe('invalid-signature');
    // Stale: older than SendGrid's 24 hours of retries (and WEBHOOK_MAX_AGE_SECONDS' 25 h).
    await post(body, { timestamp: Math.floor(Date.now() / 1000) - 26 * 3600 }).expect(401);
    await post(body, { signature: 'bm90IGEgc2lnbmF0dXJl' }).expect(401);
    expect(await statusOf(7)).toBe('sent');
  });

  it("accepts SendGrid's retry of a post from hours ago, and counts its events once by sg_event_id", async () => {
    const opens = [event(8, 'open'), event(8, 'open', { sg_event_id: 'evt-8-open-again' })];
    const body = JSON.stringify(opens);
    // Two opens in the same second (equal timestamps); then the same post, signed 23 h ago, comes again.
    await post(body).expect(200);
    await post(body, { timestamp: Math.floor(Date.now() / 1000) - 23 * 3600 }).expect(200);
    const counted = await h.store.engagement.count(
      { sandbox: SANDBOX, executionId: EXECUTION, from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' },
      { by: 'reason' },
    );
    // The first test's open of delivery 1, and these two: the repeated post added nothing.
    expect(counted.find((row) => row.kind === 'opened')?.total).toBe(3);
  });

  it('answers 400 for a signed body that is not JSON or not an array of events', async () => {
    const res = await post(JSON.stringify({ event: 'delivered' })).expect(400);
    expect(res.body).toMatchObject({ code: 'invalid-request', errors: [{ path: '/', code: 'type' }] });
    const malformed = await post('[{"event": "delivered"').expect(400);
    expect(malformed.body.code).toBe('malformed-json');
  });

  it('is refused while no verification key is configured, as is the Twilio callback without its settings', async () => {
    const unconfigured = await startApiHarness('sendgrid-webhook-off');
    try {
      const body = JSON.stringify([event(8, 'delivered')]);
      const res = await unconfigured.api
        .post('/webhooks/sendgrid')
        .set('content-type', 'application/json')
        .send(body)
        .expect(404);
      expect(res.body.code).toBe('webhook-not-configured');
      const twilio = await unconfigured.api
        .post('/webhooks/twilio')
        .type('form')
        .send({ MessageSid: 'SM1', MessageStatus: 'delivered' })
        .expect(404);
      expect(twilio.body.code).toBe('webhook-not-configured');
    } finally {
      await unconfigured.close();
    }
  });
});
