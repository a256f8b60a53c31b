import { Webhook } from 'standardwebhooks';
import type { Redis } from 'ioredis';
import type { FeedbackEvent, FeedbackEventType, WebhookTestEvent } from '@herald/contracts';
import { createLogger } from '@herald/logger';
import {
  connectRedis,
  createFeedbackWebhookQueue,
  emitFeedback,
  webhookCallJob,
  type FeedbackWebhookQueue,
} from '@herald/queues';
import { openStore, type Store, type WebhookSubscriptionWithSecrets } from '@herald/store';
import {
  createTempDir,
  orderShippedCampaign,
  testRedisUrl,
  uniqueQueuePrefix,
  waitFor,
  type TempDir,
} from '@herald/testing';
import {
  startFeedbackWebhooks,
  type FeedbackWebhooksRuntime,
} from '../src/feedback-webhooks/feedback-webhooks-runtime';
import { WebhookCallError, WebhookClient } from '../src/feedback-webhooks/webhook-client';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.fixture';

const SANDBOX = 'prod';
const DAY_MS = 24 * 3600 * 1000;
const logger = createLogger({ level: 'silent', service: 'feedback-webhooks-test' });

/** A real webhook worker (in this process) on the shared Redis, a private embedded store, a receiver. */
interface Rig {
  store: Store;
  queue: FeedbackWebhookQueue;
  receiver: WebhookReceiver;
  clock: { now: number };
  stop(): Promise<void>;
}

async function startRig(name: string, options: { backoffBaseMs: number }): Promise<Rig> {
  const dir: TempDir = createTempDir(`webhooks-${name}`);
  const prefix = uniqueQueuePrefix(`webhooks-${name}`);
  const store = await openStore({ url: `${dir.path}/herald.sqlite` });
  const redis: Redis = await connectRedis(testRedisUrl(process.env), {
    role: 'worker',
    connectionName: `test-${name}`,
    logger,
  });
  const receiver = await startWebhookReceiver();
  const clock = { now: Date.now() };
  const runtime: FeedbackWebhooksRuntime = startFeedbackWebhooks(
    {
      name: `test-${name}`,
      connection: redis,
      prefix,
      lockDurationMs: 30_000,
      imsOrg: 'TEST@AdobeOrg',
      allowPrivateUrls: true,
      ca: receiver.ca,
      backoffBaseMs: options.backoffBaseMs,
      // A zero TTL would keep nothing: a millisecond makes every read fresh.
      cacheTtlMs: 1,
      now: () => clock.now,
    },
    store,
    logger,
  );
  const queue = createFeedbackWebhookQueue(redis, prefix);
  return {
    store,
    queue,
    receiver,
    clock,
    stop: async () => {
      await runtime.close();
      await queue.obliterate({ force: true });
      await queue.close();
      redis.disconnect();
      await receiver.close();
      await store.close();
      dir.remove();
    },
  };
}

async function liveCampaign(store: Store, enableWebhooks: boolean): Promise<string> {
  const campaign = await store.campaigns.create({
    sandbox: SANDBOX,
    definition: orderShippedCampaign(enableWebhooks ? { enableWebhooks: true } : {}),
  });
  await store.campaigns.transition(SANDBOX, campaign.id, { from: ['draft'], to: 'live', liveVersion: 1 });
  return campaign.id;
}

function subscribe(rig: Rig, events: FeedbackEventType[]): Promise<WebhookSubscriptionWithSecrets> {
  return rig.store.webhookSubscriptions.create({
    sandbox: SANDBOX,
    url: rig.receiver.url,
    events,
    secret: `whsec_${Buffer.from('a test secret of thirty-two bytes').toString('base64')}`,
  });
}

function feedback(
  campaignId: string,
  type: FeedbackEventType,
  extra: Partial<FeedbackEvent> = {},
): FeedbackEvent {
  const deliveryId = 'exec-1-r0';
  return {
    id: `${deliveryId}:${type.replace('message.', '')}`,
    type,
    sandbox: SANDBOX,
    campaignId,
    executionId: 'exec-1',
    deliveryId,
    channel: 'email',
    at: '2026-12-07T10:00:00.000Z',
    requestId: 'req-1',
    ...extra,
  };
}

function logged(rig: Rig, subscriptionId: string, eventId: string, statuses: string[]) {
  return waitFor(
    async () => {
      const entry = await rig.store.webhookDeliveries.get(SANDBOX, subscriptionId, eventId);
      return entry && statuses.includes(entry.status) ? entry : undefined;
    },
    { timeoutMs: 15_000, description: `${eventId} logged ${statuses.join('/')}` },
  );
}

describe('feedback webhooks: posting a send’s events', () => {
  let rig: Rig;
  beforeAll(async () => (rig = await startRig('events', { backoffBaseMs: 100 })));
  afterAll(async () => rig.stop());

  it('posts each subscribed event signed per Standard Webhooks, retrying a call answered 500', async () => {
    const campaignId = await liveCampaign(rig.store, true);
    const subscription = await subscribe(rig, ['message.sent', 'message.delivered', 'message.clicked']);
    rig.receiver.answer([500]);
    const sent = feedback(campaignId, 'message.sent');

    await emitFeedback(rig.queue, sent);
    const entry = await logged(rig, subscription.id, sent.id, ['delivered', 'failed']);
    await emitFeedback(rig.queue, feedback(campaignId, 'message.delivered'));
    await emitFeedback(rig.queue, feedback(campaignId, 'message.opened'));
    await emitFeedback(
      rig.queue,
      feedback(campaignId, 'message.clicked', { id: 'hit-7', linkId: '0', label: 'hero' }),
    );
    await logged(rig, subscription.id, 'hit-7', ['delivered']);
    await logged(rig, subscription.id, 'exec-1-r0:delivered', ['delivered']);

    expect(entry).toMatchObject({ status: 'delivered', attempts: 2, lastStatusCode: 204 });
    const calls = rig.receiver.received;
    expect(calls.map((call) => [call.headers['webhook-id'], call.status])).toEqual([
      ['exec-1-r0:sent', 500],
      ['exec-1-r0:sent', 204],
      expect.anything(),
      expect.anything(),
    ]);
    expect(calls.map((call) => call.headers['webhook-id']).sort()).toEqual(
      ['exec-1-r0:sent', 'exec-1-r0:sent', 'exec-1-r0:delivered', 'hit-7'].sort(),
    );
    const verifier = new Webhook(subscription.secret);
    for (const call of calls) expect(() => verifier.verify(call.body, call.headers)).not.toThrow();
    const wrongSecret = new Webhook(
      `whsec_${Buffer.from('another secret, 32 bytes long!!').toString('base64')}`,
    );
    expect(() => wrongSecret.verify(calls[0]!.body, calls[0]!.headers)).toThrow();

    expect(verifier.verify(calls[1]!.body, calls[1]!.headers)).toEqual({
      requestId: 'req-1',
      imsOrg: 'TEST@AdobeOrg',
      sandbox: { name: SANDBOX },
      channel: 'email',
      eventType: 'message.feedback',
      messageExecution: {
        messageExecutionID: 'exec-1',
        messageType: 'transactional',
        campaignID: campaignId,
      },
      messageDeliveryFeedback: {
        feedbackStatus: { value: 'sent' },
        messageExclusion: null,
        messageFailure: null,
      },
      deliveryTimestamp: '2026-12-07T10:00:00.000Z',
      herald: {
        eventId: 'exec-1-r0:sent',
        type: 'message.sent',
        subscriptionId: subscription.id,
        at: '2026-12-07T10:00:00.000Z',
        campaignId,
        executionId: 'exec-1',
        deliveryId: 'exec-1-r0',
      },
    });
    const click = calls.find((call) => call.headers['webhook-id'] === 'hit-7');
    expect(JSON.parse(click?.body ?? '{}')).toMatchObject({
      eventType: 'message.interaction',
      messageInteraction: { interactionType: 'click', linkID: '0', label: 'hero' },
    });
    // Not subscribed to: never posted, never logged.
    expect(await rig.store.webhookDeliveries.get(SANDBOX, subscription.id, 'exec-1-r0:opened')).toBeNull();
    await rig.store.webhookSubscriptions.delete(SANDBOX, subscription.id);
  });

  it('posts an event once when it is emitted twice', async () => {
    const campaignId = await liveCampaign(rig.store, true);
    const subscription = await subscribe(rig, ['message.failed']);
    const failed = feedback(campaignId, 'message.failed', {
      id: 'twice:failed',
      reason: 'provider-rejected',
    });
    const before = rig.receiver.received.length;

    await emitFeedback(rig.queue, failed);
    await logged(rig, subscription.id, failed.id, ['delivered']);
    await emitFeedback(rig.queue, failed);
    // A third, later event shows the worker got past the repeated one.
    await emitFeedback(rig.queue, feedback(campaignId, 'message.failed', { id: 'after:failed' }));
    await logged(rig, subscription.id, 'after:failed', ['delivered']);

    const ids = rig.receiver.received.slice(before).map((call) => call.headers['webhook-id']);
    expect(ids).toEqual(['twice:failed', 'after:failed']);
    const body = JSON.parse(rig.receiver.received[before]!.body) as Record<string, unknown>;
    expect(body.messageDeliveryFeedback).toEqual({
      feedbackStatus: { value: 'error' },
      messageExclusion: null,
      messageFailure: {
        category: 'sync',
        code: 'provider-rejected',
        reason: expect.stringContaining('provider refused'),
      },
    });
    await rig.store.webhookSubscriptions.delete(SANDBOX, subscription.id);
  });

  it('posts nothing for a campaign without enableWebhooks', async () => {
    const quiet = await liveCampaign(rig.store, false);
    const loud = await liveCampaign(rig.store, true);
    const subscription = await subscribe(rig, ['message.sent']);
    const before = rig.receiver.received.length;

    await emitFeedback(rig.queue, feedback(quiet, 'message.sent', { id: 'quiet:sent' }));
    await emitFeedback(rig.queue, feedback(loud, 'message.sent', { id: 'loud:sent' }));
    await logged(rig, subscription.id, 'loud:sent', ['delivered']);

    expect(rig.receiver.received.slice(before).map((call) => call.headers['webhook-id'])).toEqual([
      'loud:sent',
    ]);
    expect(await rig.store.webhookDeliveries.get(SANDBOX, subscription.id, 'quiet:sent')).toBeNull();
    await rig.store.webhookSubscriptions.delete(SANDBOX, subscription.id);
  });

  it('signs with the old and the new secret while a rotation overlaps, and posts tests and replays', async () => {
    const subscription = await subscribe(rig, ['message.sent']);
    const rotated = await rig.store.webhookSubscriptions.rotateSecret(
      SANDBOX,
      subscription.id,
      `whsec_${Buffer.from('the new secret, also 32 bytes!!!').toString('base64')}`,
      new Date(Date.now() + DAY_MS).toISOString(),
    );
    const test: WebhookTestEvent = {
      id: 'test-1',
      type: 'webhook.test',
      sandbox: SANDBOX,
      at: new Date().toISOString(),
    };
    await rig.store.webhookDeliveries.recordQueued(SANDBOX, subscription.id, test, test.at);
    const job = webhookCallJob({
      sandbox: SANDBOX,
      subscriptionId: subscription.id,
      event: test,
      now: Date.now(),
      manual: true,
    });
    await rig.queue.add(job.name, job.data, job.opts);
    const first = await logged(rig, subscription.id, 'test-1', ['delivered']);

    const replay = webhookCallJob({
      sandbox: SANDBOX,
      subscriptionId: subscription.id,
      event: test,
      now: Date.now(),
      manual: true,
      replay: first.attempts,
    });
    await rig.store.webhookDeliveries.markReplayed(
      SANDBOX,
      subscription.id,
      test.id,
      new Date().toISOString(),
    );
    await rig.queue.add(replay.name, replay.data, replay.opts);
    const second = await waitFor(async () => {
      const entry = await rig.store.webhookDeliveries.get(SANDBOX, subscription.id, test.id);
      return entry?.status === 'delivered' && entry.attempts === 2 ? entry : undefined;
    });

    expect(second.attempts).toBe(2);
    const calls = rig.receiver.received.filter((call) => call.headers['webhook-id'] === 'test-1');
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.headers['webhook-signature']?.split(' ')).toHaveLength(2);
      expect(() => new Webhook(subscription.secret).verify(call.body, call.headers)).not.toThrow();
      expect(() => new Webhook(rotated!.secret).verify(call.body, call.headers)).not.toThrow();
    }
    expect(JSON.parse(calls[0]!.body)).toEqual({
      imsOrg: 'TEST@AdobeOrg',
      sandbox: { name: SANDBOX },
      eventType: 'webhook.test',
      herald: { eventId: 'test-1', type: 'webhook.test', subscriptionId: subscription.id, at: test.at },
    });
    await rig.store.webhookSubscriptions.delete(SANDBOX, subscription.id);
  });
});

describe('feedback webhooks: failing endpoints', () => {
  let rig: Rig;
  // Retries are far off: each test moves the clock instead.
  beforeAll(async () => (rig = await startRig('failing', { backoffBaseMs: 3_600_000 })));
  afterAll(async () => rig.stop());

  it('gives up on a call still failing 24 h after it was queued, and logs it failed', async () => {
    const campaignId = await liveCampaign(rig.store, true);
    const subscription = await subscribe(rig, ['message.bounced']);
    rig.receiver.answer([503], () => {
      rig.clock.now += DAY_MS;
    });

    const bounced = feedback(campaignId, 'message.bounced', { id: 'late:bounced', reason: 'hard-bounce' });
    await emitFeedback(rig.queue, bounced);
    const entry = await logged(rig, subscription.id, bounced.id, ['failed']);

    expect(entry).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastStatusCode: 503,
      lastError: 'HTTP 503',
    });
    await rig.store.webhookSubscriptions.delete(SANDBOX, subscription.id);
  });

  it('disables a subscription whose calls have failed for 3 days, with the reason, and posts no more', async () => {
    const campaignId = await liveCampaign(rig.store, true);
    const subscription = await subscribe(rig, ['message.excluded']);
    const start = rig.clock.now;
    rig.receiver.answer([500]);
    const first = feedback(campaignId, 'message.excluded', {
      id: 'd1:excluded',
      reason: 'no-marketing-consent',
    });
    await emitFeedback(rig.queue, first);
    await logged(rig, subscription.id, first.id, ['pending', 'failed']);
    await waitFor(
      async () => (await rig.store.webhookDeliveries.get(SANDBOX, subscription.id, first.id))?.attempts === 1,
    );
    expect((await rig.store.webhookSubscriptions.get(SANDBOX, subscription.id))?.failingSince).toBe(
      new Date(start).toISOString(),
    );

    rig.clock.now = start + 3 * DAY_MS - 60_000;
    rig.receiver.answer([500]);
    await emitFeedback(rig.queue, feedback(campaignId, 'message.excluded', { id: 'd2:excluded' }));
    await waitFor(
      async () =>
        (await rig.store.webhookDeliveries.get(SANDBOX, subscription.id, 'd2:excluded'))?.attempts === 1,
    );
    expect((await rig.store.webhookSubscriptions.get(SANDBOX, subscription.id))?.enabled).toBe(true);

    rig.clock.now = start + 3 * DAY_MS + 60_000;
    rig.receiver.answer([500]);
    await emitFeedback(rig.queue, feedback(campaignId, 'message.excluded', { id: 'd3:excluded' }));
    const disabled = await waitFor(async () => {
      const read = await rig.store.webhookSubscriptions.get(SANDBOX, subscription.id);
      return read?.enabled === false ? read : undefined;
    });

    expect(disabled.disabledReason).toBe(
      `Disabled by Herald: every call has failed since ${new Date(start).toISOString()} (last: HTTP 500).`,
    );
    expect(await logged(rig, subscription.id, 'd3:excluded', ['failed'])).toMatchObject({ attempts: 1 });
    const calls = rig.receiver.received.length;
    await emitFeedback(rig.queue, feedback(campaignId, 'message.excluded', { id: 'd4:excluded' }));
    await emitFeedback(rig.queue, feedback(campaignId, 'message.excluded', { id: 'd5:excluded' }));
    // The queue drains: nothing waits to be fanned out.
    await waitFor(async () => (await rig.queue.getJobCounts('waiting', 'active')).waiting === 0);
    await waitFor(async () => (await rig.queue.getJobCounts('active')).active === 0);
    expect(rig.receiver.received.length).toBe(calls);
    expect(await rig.store.webhookDeliveries.get(SANDBOX, subscription.id, 'd5:excluded')).toBeNull();
  });
});

describe('webhook client', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => (receiver = await startWebhookReceiver()));
  afterAll(async () => receiver.close());

  it('refuses loopback, private and plain-http URLs before connecting unless private URLs are allowed', async () => {
    const strict = new WebhookClient({ allowPrivateUrls: false, timeoutMs: 2000, ca: receiver.ca });
    const port = new URL(receiver.url).port;
    try {
      for (const url of [
        receiver.url,
        `https://localhost:${port}/hooks`,
        'https://10.0.0.1/hooks',
        'https://[::1]/hooks',
        'http://hooks.example.com/x',
      ]) {
        const refusal = await strict.post(url, '{}', {}).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect({ url, refusal }).toEqual({ url, refusal: expect.any(WebhookCallError) });
        expect((refusal as WebhookCallError).permanent).toBe(true);
      }
      expect(receiver.received).toHaveLength(0);
    } finally {
      strict.close();
    }
    const lenient = new WebhookClient({ allowPrivateUrls: true, timeoutMs: 2000, ca: receiver.ca });
    try {
      await expect(lenient.post(receiver.url, '{}', {})).resolves.toMatchObject({ statusCode: 204 });
    } finally {
      lenient.close();
    }
  });

  it('trusts only the usual authorities unless told otherwise', async () => {
    const client = new WebhookClient({ allowPrivateUrls: true, timeoutMs: 2000 });
    try {
      await expect(client.post(receiver.url, '{}', {})).rejects.toMatchObject({ permanent: false });
    } finally {
      client.close();
    }
  });
});
