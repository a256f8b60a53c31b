import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import request from 'supertest';
import { FANOUT_QUEUE, type FanOutJobData } from '@herald/contracts';
import { orderShippedCampaign } from '@herald/testing';
import {
  PROCESS_ADMIN_KEY,
  startApiProcesses,
  type ApiProcesses,
} from '../../../test/support/herald-processes';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';
import { createLiveCampaign, twoRecipientCall } from './trigger-setup.fixture';

const BASES = ['/im', '/ajo/im'] as const;

/** A marketing campaign whose context needs nothing, sent to the audience `audienceId`. */
const marketingCampaign = (audienceId: string) =>
  orderShippedCampaign({
    name: 'Sale',
    type: 'marketing',
    contextSchema: {
      type: 'object',
      properties: { promoCode: { type: 'string' }, orderId: { type: 'string' }, total: { type: 'number' } },
    },
    audience: { id: audienceId },
  });

/** What stays the same between two answers of one operation: the ids and times differ. */
function shapeOf(body: unknown): unknown {
  if (Array.isArray(body)) return body.map(shapeOf);
  if (typeof body !== 'object' || body === null) return typeof body;
  return Object.fromEntries(Object.entries(body).map(([key, value]) => [key, shapeOf(value)]));
}

describe("the execution API under Herald's /im and AJO's /ajo/im", () => {
  let h: ApiHarness;
  let connection: Redis;
  let fanOutQueue: Queue<FanOutJobData>;
  let transactional: string;
  let marketing: string;

  beforeAll(async () => {
    h = await startApiHarness('ajo-paths');
    connection = new Redis(h.config.redis.url, { maxRetriesPerRequest: null });
    fanOutQueue = new Queue<FanOutJobData>(FANOUT_QUEUE, { connection, prefix: h.config.redis.queuePrefix });
    transactional = await createLiveCampaign(h, orderShippedCampaign());
    const audience = await h.api
      .post('/audiences')
      .send({ name: 'Everyone', kind: 'query', query: {} })
      .expect(201);
    marketing = await createLiveCampaign(h, marketingCampaign(audience.body.id));
  });
  afterAll(async () => {
    await fanOutQueue.obliterate({ force: true });
    await fanOutQueue.close();
    connection.disconnect();
    await h.close();
  });

  it('answers every execution operation identically under both base paths', async () => {
    const answers = [];
    for (const base of BASES) {
      const unitary = await h.api
        .post(`${base}/executions/unitary`)
        .send(twoRecipientCall(transactional, randomUUID()));
      const dryRun = await h.api
        .post(`${base}/executions/unitary?dryRun=true`)
        .send(twoRecipientCall(transactional, randomUUID()));
      const highThroughput = await h.api
        .post(`${base}/executions/highthroughput`)
        .send({ requestId: randomUUID(), campaignId: transactional, recipients: [] });
      const audience = await h.api
        .post(`${base}/executions/audience`)
        .send({ requestId: randomUUID(), campaignId: marketing });
      const status = await h.api.get(`${base}/executions/audience/${String(audience.body.executionId)}`);
      const scheduled = await h.api.post(`${base}/executions/audience`).send({
        campaignId: marketing,
        schedule: { executeAt: new Date(Date.now() + 3_600_000).toISOString() },
      });
      const schedule = await h.api.get(`${base}/executions/schedules/${String(scheduled.body.scheduleId)}`);
      const cancelled = await h.api.delete(
        `${base}/executions/schedules/${String(scheduled.body.scheduleId)}`,
      );
      const cancelledAgain = await h.api.delete(
        `${base}/executions/schedules/${String(scheduled.body.scheduleId)}`,
      );
      const health = await h.api.get(`${base}/health`);
      answers.push(
        [
          unitary,
          dryRun,
          highThroughput,
          audience,
          status,
          scheduled,
          schedule,
          cancelled,
          cancelledAgain,
          health,
        ].map((res) => ({ status: res.status, body: shapeOf(res.body) })),
      );
    }
    expect(answers[0]?.map(({ status }) => status)).toEqual([
      202, 200, 400, 202, 200, 202, 200, 200, 404, 200,
    ]);
    expect(answers[1]).toEqual(answers[0]);
  });

  it('answers a cancelled schedule with 200 {} as AJO does', async () => {
    const scheduled = await h.api
      .post('/ajo/im/executions/audience')
      .send({
        campaignId: marketing,
        schedule: { executeAt: new Date(Date.now() + 3_600_000).toISOString() },
      })
      .expect(202);
    const res = await h.api.delete(`/ajo/im/executions/schedules/${String(scheduled.body.scheduleId)}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });

  it('asks for an API key under /ajo/im as under /im', async () => {
    for (const base of BASES) {
      const res = await h.api
        .post(`${base}/executions/unitary`)
        .set('authorization', '')
        .send(twoRecipientCall(transactional, randomUUID()));
      expect(res.status).toBe(401);
    }
  });

  it("adds AJO's report.additionalContext to the RFC 9457 error of an execution call", async () => {
    const requestId = randomUUID();
    const res = await h.api
      .post('/ajo/im/executions/unitary')
      .set('x-request-id', 'trace-report-1')
      .send({ requestId, campaignId: 'no-such-campaign', recipients: twoRecipientCall('x', 'y').recipients })
      .expect(404);
    expect(res.body).toMatchObject({
      type: expect.any(String),
      title: 'Not Found',
      status: 404,
      detail: expect.any(String),
      report: { additionalContext: { requestId, campaignId: 'no-such-campaign' } },
    });
    // Without a requestId in the body, the x-request-id names the call.
    const status = await h.api
      .get('/im/executions/audience/none')
      .set('x-request-id', 'trace-report-2')
      .expect(404);
    expect(status.body.report).toEqual({ additionalContext: { requestId: 'trace-report-2' } });
    const invalid = await h.api.post('/im/executions/unitary').send({ campaignId: 'c-1' }).expect(400);
    expect(invalid.body.errors.length).toBeGreaterThan(0);
    expect(invalid.body.report.additionalContext).toEqual({
      requestId: invalid.headers['x-request-id'],
      campaignId: 'c-1',
    });
    // The management API keeps plain RFC 9457 errors.
    const campaign = await h.api.get('/campaigns/none').expect(404);
    expect(campaign.body.report).toBeUndefined();
  });

  it('accepts 20 recipients with a 200 KB context each under the default body limit', async () => {
    const filler = 'x'.repeat(h.config.api.maxContextBytes - 100);
    const body = {
      requestId: randomUUID(),
      campaignId: transactional,
      recipients: Array.from({ length: 20 }, (_, index) => ({
        type: 'aep',
        userId: `big${index}@example.com`,
        namespace: 'email',
        context: { orderId: `${index}-${filler}`, total: 1 },
      })),
    };
    expect(Buffer.byteLength(JSON.stringify(body))).toBeGreaterThan(20 * 204_000);
    await h.api.post('/ajo/im/executions/unitary').send(body).expect(202);
  });
});

describe('x-request-id as an idempotency key', () => {
  let h: ApiHarness;
  let campaignId: string;

  beforeAll(async () => {
    h = await startApiHarness('x-request-id');
    campaignId = await createLiveCampaign(h, orderShippedCampaign());
  });
  afterAll(async () => h.close());
  beforeEach(async () => h.emailQueue.drain(true));

  const queuedJobIds = async () => (await h.emailQueue.getJobs(['waiting'])).map((job) => job.id).sort();

  it('answers an x-request-id reused by the same caller on the same operation and campaign with the first 202, whatever the body or base path', async () => {
    const first = await h.api
      .post('/im/executions/unitary')
      .set('x-request-id', 'xr-1')
      .send(twoRecipientCall(campaignId, 'xr-body-1'))
      .expect(202);
    const queued = await queuedJobIds();
    expect(queued).toHaveLength(2);
    const otherRequestId = await h.api
      .post('/ajo/im/executions/unitary')
      .set('x-request-id', 'xr-1')
      .send(twoRecipientCall(campaignId, 'xr-body-2', 99))
      .expect(202);
    expect(otherRequestId.body).toEqual(first.body);
    expect(await queuedJobIds()).toEqual(queued);
    // Another sandbox has its own x-request-ids.
    const other = await h.api
      .post('/im/executions/unitary')
      .set('x-request-id', 'xr-1')
      .set('x-sandbox-name', 'xr-other')
      .send(twoRecipientCall(campaignId, 'xr-body-1'));
    expect(other.status).toBe(404);
  });

  it('scopes an x-request-id to its campaign: one tracing id forwarded to two campaigns runs both', async () => {
    const other = await createLiveCampaign(h, orderShippedCampaign({ name: 'Other campaign' }));
    const first = await h.api
      .post('/im/executions/unitary')
      .set('x-request-id', 'xr-two-campaigns')
      .send(twoRecipientCall(campaignId, 'xr-campaign-1'))
      .expect(202);
    const second = await h.api
      .post('/im/executions/unitary')
      .set('x-request-id', 'xr-two-campaigns')
      .send(twoRecipientCall(other, 'xr-campaign-2'))
      .expect(202);

    expect(second.body.executionId).not.toBe(first.body.executionId);
    expect(await queuedJobIds()).toHaveLength(4);
  });

  it("scopes an x-request-id to its caller: another key's call runs, and never gets the first answer", async () => {
    const created = await h.api
      .post('/api-keys')
      .send({ name: 'second caller', roles: ['execute'], sandboxes: ['prod'] })
      .expect(201);
    const first = await h.api
      .post('/im/executions/unitary')
      .set('x-request-id', 'xr-two-callers')
      .send(twoRecipientCall(campaignId, 'xr-caller-1'))
      .expect(202);
    const second = await request(h.runtime.app)
      .post('/im/executions/unitary')
      .set('x-api-key', String(created.body.key))
      .set('x-request-id', 'xr-two-callers')
      .send(twoRecipientCall(campaignId, 'xr-caller-2'))
      .expect(202);

    expect(second.body.executionId).not.toBe(first.body.executionId);
    expect(second.body.requestId).toBe('xr-caller-2');
    expect(await queuedJobIds()).toHaveLength(4);
  });

  it('frees an x-request-id whose call was refused, for the corrected call', async () => {
    await h.api
      .post('/im/executions/unitary')
      .set('x-request-id', 'xr-taken-header')
      .send(twoRecipientCall(campaignId, 'xr-taken'))
      .expect(202);
    await h.api
      .post('/im/executions/unitary')
      .set('x-request-id', 'xr-refused')
      .send(twoRecipientCall(campaignId, 'xr-taken', 42))
      .expect(409);
    const corrected = await h.api
      .post('/im/executions/unitary')
      .set('x-request-id', 'xr-refused')
      .send(twoRecipientCall(campaignId, 'xr-fresh', 42))
      .expect(202);
    expect(corrected.body.requestId).toBe('xr-fresh');
  });

  it('deduplicates audience calls by x-request-id too', async () => {
    const audience = await h.api
      .post('/audiences')
      .send({ name: 'All', kind: 'query', query: {} })
      .expect(201);
    const marketing = await createLiveCampaign(h, marketingCampaign(audience.body.id));
    const first = await h.api
      .post('/im/executions/audience')
      .set('x-request-id', 'xr-audience')
      .send({ campaignId: marketing })
      .expect(202);
    const again = await h.api
      .post('/im/executions/audience')
      .set('x-request-id', 'xr-audience')
      .send({ campaignId: marketing })
      .expect(202);
    expect(again.body).toEqual(first.body);
  });

  it('turns body-requestId idempotency off per sandbox, keeping x-request-id', async () => {
    const sandbox = 'reuses-request-ids';
    const api = (path: string) => h.api.post(path).set('x-sandbox-name', sandbox);
    const live = await h.api
      .post('/campaigns')
      .set('x-sandbox-name', sandbox)
      .send(orderShippedCampaign())
      .expect(201);
    await h.api
      .post(`/campaigns/${String(live.body.id)}/activate`)
      .set('x-sandbox-name', sandbox)
      .expect(200);
    const call = (total: number) => twoRecipientCall(String(live.body.id), 'sample-request', total);

    const stored = await h.api
      .put('/settings')
      .set('x-sandbox-name', sandbox)
      .send({ frequencyCaps: {}, idempotency: { bodyRequestId: false } })
      .expect(200);
    expect(stored.body.idempotency).toEqual({ bodyRequestId: false });
    expect(
      (await h.api.get('/settings').set('x-sandbox-name', sandbox).expect(200)).body.idempotency,
    ).toEqual({
      bodyRequestId: false,
    });

    const first = await api('/im/executions/unitary').send(call(1)).expect(202);
    const second = await api('/im/executions/unitary').send(call(2)).expect(202);
    const repeated = await api('/im/executions/unitary').send(call(2)).expect(202);
    expect(new Set([first.body.executionId, second.body.executionId, repeated.body.executionId]).size).toBe(
      3,
    );
    expect(second.body.requestId).toBe('sample-request');
    const byHeader = await api('/im/executions/unitary')
      .set('x-request-id', 'xr-off')
      .send(call(3))
      .expect(202);
    const replayed = await api('/im/executions/unitary')
      .set('x-request-id', 'xr-off')
      .send(call(3))
      .expect(202);
    expect(replayed.body).toEqual(byHeader.body);

    // Back on: the default again refuses the same requestId with another body.
    await h.api.put('/settings').set('x-sandbox-name', sandbox).send({ frequencyCaps: {} }).expect(200);
    await api('/im/executions/unitary').send(call(4)).expect(202);
    await api('/im/executions/unitary').send(call(5)).expect(409);
  });

  it('refuses an invalid idempotency setting', async () => {
    const res = await h.api
      .put('/settings')
      .send({ frequencyCaps: {}, idempotency: { bodyRequestId: 'no' } })
      .expect(400);
    expect(res.body.code).toBe('invalid-settings');
  });
});

describe('x-request-id idempotency across two API processes', () => {
  let apis: ApiProcesses;
  let campaignId: string;

  beforeAll(async () => {
    apis = await startApiProcesses('x-request-id-processes');
    const created = await apis.call(0, '/campaigns', { body: JSON.stringify(orderShippedCampaign()) });
    campaignId = String(created.body.id);
    expect((await apis.call(0, `/campaigns/${campaignId}/activate`)).status).toBe(200);
  });
  afterAll(async () => apis?.close());

  it('answers the first 202 on the other process and queues nothing more', async () => {
    const send = async (index: 0 | 1, requestId: string) => {
      const response = await fetch(`http://127.0.0.1:${apis.ports[index]}/ajo/im/executions/unitary`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-api-key': PROCESS_ADMIN_KEY,
          'x-request-id': 'xr-two-processes',
        },
        body: JSON.stringify(twoRecipientCall(campaignId, requestId)),
      });
      return { status: response.status, body: (await response.json()) as unknown };
    };
    const first = await send(0, 'xr-p-1');
    expect(first.status).toBe(202);
    const second = await send(1, 'xr-p-2');
    expect(second).toEqual(first);
    expect(await apis.emailQueue.getJobCounts('waiting')).toMatchObject({ waiting: 2 });
  });
});
