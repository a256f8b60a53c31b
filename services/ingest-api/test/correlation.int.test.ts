import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { FANOUT_QUEUE } from '@herald/contracts';
import { orderShippedCampaign } from '@herald/testing';
import { startApiHarness, TEST_ADMIN_KEY, type ApiHarness } from './api-harness.fixture';
import { createLiveCampaign } from './trigger-setup.fixture';
import { captureLogs, type CapturedLogs } from './captured-logs.fixture';

describe('request correlation', () => {
  let h: ApiHarness;
  let logs: CapturedLogs;

  beforeAll(async () => {
    logs = captureLogs();
    h = await startApiHarness('correlation', {}, logs.logger);
  });
  afterAll(async () => h.close());

  it("echoes the caller's x-request-id on the answer, errors included", async () => {
    const ok = await h.api.get('/campaigns').set('x-request-id', 'caller-req-42').expect(200);
    expect(ok.headers['x-request-id']).toBe('caller-req-42');
    const missing = await h.api.get('/campaigns/none').set('x-request-id', 'caller-req-43').expect(404);
    expect(missing.headers['x-request-id']).toBe('caller-req-43');
  });

  it('gives a request without one, or with a malformed one, an id of its own', async () => {
    const none = await h.api.get('/campaigns').expect(200);
    expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const tooLong = await h.api.get('/campaigns').set('x-request-id', 'x'.repeat(200)).expect(200);
    expect(tooLong.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  describe('the access log', () => {
    const accessLineOf = (requestId: string) =>
      logs.lines.find(
        (line) =>
          line.msg === 'request completed' && (line.req as { id?: unknown } | undefined)?.id === requestId,
      );

    it('writes one line per request with its id, method, path, status and time, without headers', async () => {
      await h.api
        .get('/campaigns?limit=5&token=query-secret')
        .set('x-request-id', 'caller-access-1')
        .set('cookie', 'session=cookie-secret')
        .expect(200);

      const line = accessLineOf('caller-access-1');
      expect(line).toMatchObject({
        level: 'info',
        req: { id: 'caller-access-1', method: 'GET', url: '/campaigns' },
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
      });
      const written = JSON.stringify(line);
      expect(written).not.toContain(TEST_ADMIN_KEY);
      expect(written).not.toMatch(/authorization|cookie-secret|query-secret/i);
    });

    it('names the generated id when the caller gave none', async () => {
      const res = await h.api.get('/campaigns').expect(200);
      expect(accessLineOf(res.headers['x-request-id'] as string)).toBeDefined();
    });

    it('leaves health probes out at the info level', async () => {
      await h.api.get('/health').set('x-request-id', 'caller-probe').expect(200);
      expect(accessLineOf('caller-probe')).toBeUndefined();
    });
  });

  describe('the log line of an accepted execution', () => {
    let transactional: string;
    let fanOutConnection: Redis;
    let fanOutQueue: Queue;

    const trigger = (path: string, requestId: string, body: object) =>
      h.api
        .post(path)
        .set('x-request-id', `caller-${requestId}`)
        .set('x-gw-ims-org-id', 'ORG42@AdobeOrg')
        .send({ requestId, ...body })
        .expect(202);
    const lineOf = (message: string, executionId: string) =>
      logs.lines.find((line) => line.msg === message && line.executionId === executionId);

    beforeAll(async () => {
      transactional = await createLiveCampaign(h, orderShippedCampaign());
      fanOutConnection = new Redis(h.config.redis.url, { maxRetriesPerRequest: null });
      fanOutQueue = new Queue(FANOUT_QUEUE, {
        connection: fanOutConnection,
        prefix: h.config.redis.queuePrefix,
      });
    });
    afterAll(async () => {
      await fanOutQueue.obliterate({ force: true });
      await fanOutQueue.close();
      fanOutConnection.disconnect();
    });

    it("names the caller's x-request-id and x-gw-ims-org-id for a unitary call", async () => {
      const recipient = { type: 'aep', userId: 'ada@example.com', namespace: 'email' };
      const res = await trigger('/im/executions/unitary', 'corr-unitary', {
        campaignId: transactional,
        recipients: [{ ...recipient, context: { orderId: 'O-1', total: 1 } }],
      });
      expect(lineOf('execution queued', res.body.executionId)).toMatchObject({
        kind: 'unitary',
        requestId: 'corr-unitary',
        xRequestId: 'caller-corr-unitary',
        orgId: 'ORG42@AdobeOrg',
      });
    });

    it('names them for a highthroughput call', async () => {
      const res = await trigger('/im/executions/highthroughput', 'corr-ht', {
        campaignId: transactional,
        recipients: [
          {
            type: 'external',
            userId: 'crm-1',
            namespace: 'crmId',
            channelData: { emailAddress: 'crm1@example.com' },
            context: { orderId: 'O-2', total: 2 },
          },
        ],
      });
      expect(lineOf('execution queued', res.body.executionId)).toMatchObject({
        kind: 'highthroughput',
        xRequestId: 'caller-corr-ht',
        orgId: 'ORG42@AdobeOrg',
      });
    });

    it('names them for an audience execution', async () => {
      const audience = await h.api
        .post('/audiences')
        .send({ name: 'Everyone', kind: 'query', query: {} })
        .expect(201);
      const marketing = await createLiveCampaign(
        h,
        orderShippedCampaign({
          name: 'Spring sale',
          type: 'marketing',
          contextSchema: {
            type: 'object',
            properties: { orderId: { type: 'string' }, total: { type: 'number' } },
          },
          audience: { id: audience.body.id },
        }),
      );
      const res = await trigger('/im/executions/audience', 'corr-audience', { campaignId: marketing });
      expect(lineOf('audience execution queued', res.body.executionId)).toMatchObject({
        xRequestId: 'caller-corr-audience',
        orgId: 'ORG42@AdobeOrg',
      });
    });
  });
});
