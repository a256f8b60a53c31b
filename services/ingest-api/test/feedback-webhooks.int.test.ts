import { Redis } from 'ioredis';
import {
  createFeedbackWebhookQueue,
  type FeedbackWebhookQueue,
  type WebhookCallJobData,
} from '@herald/queues';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';

interface FieldErrorBody {
  path: string;
  code: string;
}

const SECRET = /^whsec_[A-Za-z0-9+/]{43}=$/;
const NEW_WEBHOOK = {
  url: 'https://crm.example.com/herald-events',
  events: ['message.delivered', 'message.bounced'],
  description: 'CRM',
};

describe('feedback webhook subscriptions API', () => {
  let h: ApiHarness;
  let redis: Redis;
  let queue: FeedbackWebhookQueue;
  beforeAll(async () => {
    h = await startApiHarness('feedback-webhooks');
    redis = new Redis(h.config.redis.url, { maxRetriesPerRequest: null });
    queue = createFeedbackWebhookQueue(redis, h.config.redis.queuePrefix);
  });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    redis.disconnect();
    await h.close();
  });

  it('creates a subscription with its secret shown once, reads, lists, updates and deletes it', async () => {
    const created = await h.api.post('/webhooks').send(NEW_WEBHOOK).expect(201);
    const { secret, ...subscription } = created.body as Record<string, unknown>;
    expect(secret).toMatch(SECRET);
    expect(created.headers.location).toBe(`/webhooks/${String(subscription.id)}`);
    expect(subscription).toEqual({
      id: expect.any(String),
      sandbox: 'prod',
      ...NEW_WEBHOOK,
      enabled: true,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const at = `/webhooks/${String(subscription.id)}`;

    expect((await h.api.get(at).expect(200)).body).toEqual(subscription);
    expect((await h.api.get('/webhooks').expect(200)).body).toEqual({
      items: [subscription],
      nextCursor: null,
    });
    expect((await h.store.webhookSubscriptions.getWithSecrets('prod', String(subscription.id)))?.secret).toBe(
      secret,
    );
    await h.api.get(at).set('x-sandbox-name', 'other').expect(404);

    const updated = await h.api
      .patch(at)
      .send({ url: 'https://crm.example.com/v2', events: ['message.clicked'], description: 'CRM v2' })
      .expect(200);
    expect(updated.body).toEqual({
      ...subscription,
      url: 'https://crm.example.com/v2',
      events: ['message.clicked'],
      description: 'CRM v2',
      updatedAt: expect.any(String),
    });

    await h.api.delete(at).expect(204);
    expect((await h.api.get(at).expect(404)).body.code).toBe('webhook-not-found');
    await h.api.delete(at).expect(404);
    await h.api.patch(at).send({ enabled: false }).expect(404);
  });

  it('re-enabling a subscription Herald disabled clears the reason', async () => {
    const { id } = (await h.api.post('/webhooks').send(NEW_WEBHOOK).expect(201)).body as { id: string };
    await h.store.webhookSubscriptions.markFailing('prod', id, '2026-01-01T00:00:00.000Z');
    await h.store.webhookSubscriptions.disable('prod', id, 'failing for 3 days', '2026-01-04T00:00:00.000Z');
    expect((await h.api.get(`/webhooks/${id}`).expect(200)).body).toMatchObject({
      enabled: false,
      disabledReason: 'failing for 3 days',
      failingSince: '2026-01-01T00:00:00.000Z',
    });

    const enabled = await h.api.patch(`/webhooks/${id}`).send({ enabled: true }).expect(200);

    expect(enabled.body.enabled).toBe(true);
    expect(enabled.body).not.toHaveProperty('disabledReason');
    expect(enabled.body).not.toHaveProperty('failingSince');
  });

  it.each([
    ['https://127.0.0.1/hook', 'private-address'],
    ['https://localhost:8443/hook', 'private-address'],
    ['https://10.1.2.3/hook', 'private-address'],
    ['https://[::1]/hook', 'private-address'],
    ['https://169.254.169.254/latest/meta-data', 'private-address'],
    ['http://crm.example.com/hook', 'https-required'],
  ])('refuses %s with 400 webhook-url-not-allowed, storing nothing', async (url, code) => {
    const sandbox = `refusals-${code}`;
    const refused = await h.api
      .post('/webhooks')
      .set('x-sandbox-name', sandbox)
      .send({ ...NEW_WEBHOOK, url })
      .expect(400);

    expect(refused.body.code).toBe('webhook-url-not-allowed');
    expect(refused.body.errors).toEqual([expect.objectContaining({ path: '/url', code })]);
    expect((await h.store.webhookSubscriptions.list(sandbox)).items).toEqual([]);
  });

  it('refuses a private URL in an update too, keeping the subscription as it was', async () => {
    const created = (await h.api.post('/webhooks').send(NEW_WEBHOOK).expect(201)).body as {
      id: string;
      url: string;
    };

    const refused = await h.api
      .patch(`/webhooks/${created.id}`)
      .send({ url: 'https://192.168.1.10/' })
      .expect(400);

    expect(refused.body.code).toBe('webhook-url-not-allowed');
    expect((await h.store.webhookSubscriptions.get('prod', created.id))?.url).toBe(NEW_WEBHOOK.url);
  });

  it('names every field at fault in a body that breaks the schema', async () => {
    const refused = await h.api
      .post('/webhooks')
      .send({ url: 'not a url', events: ['message.read'], colour: 'blue' })
      .expect(400);

    expect(refused.body.code).toBe('invalid-webhook');
    const paths = (refused.body.errors as FieldErrorBody[]).map((error) => error.path).sort();
    expect(paths).toEqual(['/colour', '/events/0', '/url']);
    await h.api.post('/webhooks').send({ url: NEW_WEBHOOK.url, events: [] }).expect(400);
    const created = (await h.api.post('/webhooks').send(NEW_WEBHOOK).expect(201)).body as { id: string };
    expect((await h.api.patch(`/webhooks/${created.id}`).send({}).expect(400)).body.code).toBe(
      'invalid-webhook',
    );
  });

  it('rotates the secret: the new one shown once, the old one signing beside it for 24 h', async () => {
    const created = (await h.api.post('/webhooks').send(NEW_WEBHOOK).expect(201)).body as {
      id: string;
      secret: string;
    };
    const before = Date.now();

    const rotated = await h.api.post(`/webhooks/${created.id}/rotate-secret`).expect(200);

    expect(rotated.body.secret).toMatch(SECRET);
    expect(rotated.body.secret).not.toBe(created.secret);
    const overlapEnd = Date.parse(rotated.body.previousSecretExpiresAt as string);
    expect(overlapEnd).toBeGreaterThanOrEqual(before + 24 * 3600 * 1000);
    expect(overlapEnd).toBeLessThanOrEqual(Date.now() + 24 * 3600 * 1000);
    expect(await h.store.webhookSubscriptions.getWithSecrets('prod', created.id)).toMatchObject({
      secret: rotated.body.secret,
      previousSecret: created.secret,
    });
    expect((await h.api.get(`/webhooks/${created.id}`).expect(200)).body).not.toHaveProperty('secret');
    await h.api.post('/webhooks/no-such-id/rotate-secret').expect(404);
  });

  it('queues a test call, shows it in the log, and replays a logged event', async () => {
    const { id } = (await h.api.post('/webhooks').send(NEW_WEBHOOK).expect(201)).body as { id: string };

    const test = await h.api.post(`/webhooks/${id}/test`).expect(202);

    expect(test.body).toMatchObject({
      subscriptionId: id,
      status: 'pending',
      attempts: 0,
      event: { type: 'webhook.test', sandbox: 'prod' },
    });
    const eventId = test.body.eventId as string;
    const jobs = await queue.getJobs(['waiting', 'delayed', 'prioritized']);
    const testJob = jobs.find(
      (job) => job.name === 'call' && (job.data as WebhookCallJobData).event.id === eventId,
    );
    expect(testJob?.data).toMatchObject({ subscriptionId: id, manual: true, sandbox: 'prod' });

    const log = await h.api.get(`/webhooks/${id}/deliveries`).expect(200);
    expect(log.body).toEqual({ items: [test.body], nextCursor: null });
    const replayAt = `/webhooks/${id}/deliveries/${encodeURIComponent(eventId)}/replay`;
    expect((await h.api.post(replayAt).expect(409)).body.code).toBe('webhook-delivery-pending');

    await h.store.webhookDeliveries.recordAttempt('prod', id, eventId, {
      status: 'failed',
      error: 'HTTP 500',
      statusCode: 500,
      at: new Date().toISOString(),
    });
    const replayed = await h.api.post(replayAt).expect(202);

    expect(replayed.body).toMatchObject({ eventId, status: 'pending', attempts: 1, lastError: 'HTTP 500' });
    const replayJob = await queue.getJob(`${String(testJob?.id)}-replay-1`);
    expect(replayJob?.data).toMatchObject({ subscriptionId: id, manual: true, event: { id: eventId } });
    const missing = await h.api.post(`/webhooks/${id}/deliveries/nope/replay`).expect(404);
    expect(missing.body.code).toBe('webhook-delivery-not-found');
    await h.api.post(`/webhooks/no-such-id/test`).expect(404);
    await h.api.get(`/webhooks/no-such-id/deliveries`).expect(404);
  });

  it('pages the subscriptions and the log, and refuses a bad page query', async () => {
    const sandbox = 'paging';
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      ids.push(
        (
          (await h.api.post('/webhooks').set('x-sandbox-name', sandbox).send(NEW_WEBHOOK).expect(201))
            .body as { id: string }
        ).id,
      );
    }

    const first = await h.api.get('/webhooks?limit=2').set('x-sandbox-name', sandbox).expect(200);
    const second = await h.api
      .get(`/webhooks?limit=2&cursor=${String(first.body.nextCursor)}`)
      .set('x-sandbox-name', sandbox)
      .expect(200);

    expect([...first.body.items, ...second.body.items].map((item: { id: string }) => item.id)).toEqual(ids);
    expect(second.body.nextCursor).toBeNull();
    expect((await h.api.get('/webhooks?limit=0').set('x-sandbox-name', sandbox).expect(400)).body.code).toBe(
      'invalid-query',
    );
    await h.api.get(`/webhooks/${ids[0]}/deliveries?colour=blue`).set('x-sandbox-name', sandbox).expect(400);
  });

  it('needs the manage role', async () => {
    await h.addApiKey('feedback-webhooks-execute-key-0123456789', {
      name: 'executor',
      roles: ['execute'],
      sandboxes: ['prod'],
    });

    await h.api
      .get('/webhooks')
      .set('authorization', 'Bearer feedback-webhooks-execute-key-0123456789')
      .expect(403);
    await h.api
      .post('/webhooks')
      .set('authorization', 'Bearer feedback-webhooks-execute-key-0123456789')
      .send(NEW_WEBHOOK)
      .expect(403);
  });

  it('leaves the provider webhooks where they were', async () => {
    const sendgrid = await h.api
      .post('/webhooks/sendgrid')
      .set('content-type', 'application/json')
      .send('[]');
    expect(sendgrid.body.code).toBe('webhook-not-configured');
  });
});
