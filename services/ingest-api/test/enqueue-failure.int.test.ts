import express from 'express';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import request from 'supertest';
import type { CampaignVersion } from '@herald/contracts';
import { ServiceUnavailableError } from '@herald/errors';
import { deliveryJobOptions, RedisKeys, type DeliveryQueue } from '@herald/queues';
import { orderShippedCampaign } from '@herald/testing';
import { errorHandler } from '../src/http/error-handler';
import { QueueBackpressure } from '../src/limits/queue-backpressure';
import { bodyFingerprint, IdempotencyGuard } from '../src/triggers/idempotency';
import { isRedisFailure, queueUnavailable } from '../src/triggers/queue-unavailable';
import { claimAndEnqueue, type ValidTriggerCall } from '../src/triggers/trigger-call';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';
import { createLiveCampaign, waitingEmailJobs } from './trigger-setup.fixture';

const logger = pino({ level: 'silent' });

describe('a trigger call whose enqueue fails outside Redis', () => {
  let h: ApiHarness;
  let redis: Redis;
  let version: CampaignVersion;
  /** The e-mail queue with a job size limit no job meets: BullMQ refuses every job before sending it. */
  let refusingQueue: DeliveryQueue;
  let guard: IdempotencyGuard;
  let keys: RedisKeys;

  beforeAll(async () => {
    h = await startApiHarness('enqueue-failure');
    redis = new Redis(h.config.redis.url, { maxRetriesPerRequest: null });
    const campaignId = await createLiveCampaign(h, orderShippedCampaign());
    version = (await h.store.campaigns.getVersion('prod', campaignId, 1)) as CampaignVersion;
    refusingQueue = new Queue(h.emailQueue.name, {
      connection: redis,
      prefix: h.config.redis.queuePrefix,
      defaultJobOptions: { ...deliveryJobOptions(3), sizeLimit: 16 },
    });
    guard = new IdempotencyGuard(redis, {
      prefix: h.config.redis.queuePrefix,
      ttlSeconds: 60,
      bodyRequestIdEnabled: async () => true,
    });
    keys = new RedisKeys(h.config.redis.queuePrefix);
  });
  afterAll(async () => {
    await refusingQueue.close();
    redis.disconnect();
    await h.close();
  });

  const body = (requestId: string, total = 10) => ({
    requestId,
    campaignId: version.campaignId,
    recipients: [
      {
        type: 'external' as const,
        userId: 'crm-1',
        namespace: 'crmId',
        channelData: { emailAddress: 'user1@example.com' },
        context: { orderId: 'O-1', total },
      },
    ],
  });
  const callOf = (requestId: string, xRequestId: string): ValidTriggerCall => ({
    sandbox: 'prod',
    request: body(requestId),
    version,
    fingerprint: bodyFingerprint(Buffer.from(JSON.stringify(body(requestId)))),
    createdBy: 'test',
    xRequestId,
  });
  /** The real claim-and-enqueue behind the real error handler, on the refusing queue. */
  const app = express()
    .post('/call/:requestId', async (req, res) => {
      const answer = await claimAndEnqueue(
        {
          store: h.store,
          logger,
          idempotency: guard,
          // Off (0): the waiting count is not what this test is about.
          backpressure: new QueueBackpressure({
            queues: { email: refusingQueue, sms: refusingQueue, push: refusingQueue },
            maxWaiting: 0,
            logger,
          }),
        },
        callOf(req.params.requestId, `x-${req.params.requestId}`),
        { queue: refusingQueue, kind: 'unitary' },
      );
      res.status(202).json(answer);
    })
    .use(errorHandler(logger));

  it('answers 500 internal-error without Retry-After, not 503 queue-unavailable, and frees its idempotency keys', async () => {
    const res = await request(app).post('/call/refused-1').expect(500);
    expect(res.body.code).toBe('internal-error');
    expect(res.headers['retry-after']).toBeUndefined();

    const headerKey = keys.headerIdempotency(
      { sandbox: 'prod', caller: 'test', operation: 'unitary', campaignId: version.campaignId },
      'x-refused-1',
    );
    expect(await redis.exists(keys.idempotency('prod', 'refused-1'), headerKey)).toBe(0);
    expect(await waitingEmailJobs(h)).toBe(0);
    expect(
      (await h.store.executions.listByCampaign('prod', version.campaignId)).items.filter(
        (execution) => execution.requestId === 'refused-1',
      ),
    ).toEqual([]);

    // The caller's corrected call, same requestId and another body, is not held by the failed one.
    const retry = await h.api.post('/im/executions/unitary').send(body('refused-1', 12)).expect(202);
    expect(await h.store.executions.get('prod', retry.body.executionId)).toMatchObject({ status: 'queued' });
  });

  it('tells Redis failures from other errors', async () => {
    const offline = new Redis({ port: 1, lazyConnect: true, enableOfflineQueue: false });
    const unreachable = await offline.get('k').catch((error: unknown) => error);
    offline.disconnect();
    const reply = await redis.call('NO-SUCH-COMMAND').catch((error: unknown) => error);
    const overflow = (() => {
      try {
        let deep: unknown = [];
        for (let level = 0; level < 100_000; level += 1) deep = [deep];
        return JSON.stringify(deep);
      } catch (error) {
        return error;
      }
    })();

    expect([unreachable, reply].map(isRedisFailure)).toEqual([true, true]);
    expect(queueUnavailable(unreachable)).toBeInstanceOf(ServiceUnavailableError);
    expect(overflow).toBeInstanceOf(RangeError);
    expect([overflow, new TypeError('x'), 'text'].map(isRedisFailure)).toEqual([false, false, false]);
    expect(queueUnavailable(overflow)).toBe(overflow);
  });
});
