import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { orderShippedCampaign } from '@herald/testing';
import { bodyFingerprint, IdempotencyGuard } from '../src/triggers/idempotency';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';
import { createLiveCampaign, twoRecipientCall } from './trigger-setup.fixture';

describe('POST /im/executions/unitary while the store fails', () => {
  let h: ApiHarness;
  let campaignId: string;
  let redis: Redis;
  /** A second connection to the API's SQLite file, as another process would hold it. */
  let other: Database.Database;

  beforeAll(async () => {
    h = await startApiHarness('store-outage');
    redis = new Redis(h.config.redis.url);
    other = new Database(h.config.store.url);
    campaignId = await createLiveCampaign(h, orderShippedCampaign());
  });
  afterAll(async () => {
    other.close();
    redis.disconnect();
    await h.close();
  });
  beforeEach(async () => h.emailQueue.drain(true));

  const call = (requestId: string) => twoRecipientCall(campaignId, requestId);
  const queuedJobIds = async () => (await h.emailQueue.getJobs(['waiting'])).map((job) => job.id).sort();
  const executionsOf = async (requestId: string) =>
    (await h.store.executions.listByCampaign('prod', campaignId)).items.filter(
      (execution) => execution.requestId === requestId,
    );

  it('answers 503 store-unavailable when the execution cannot be recorded, and the retry records it onto the same jobs', async () => {
    // The API's write waits out the store's busy timeout (5 s) behind this write lock, then fails.
    other.exec('BEGIN EXCLUSIVE');
    let refused;
    try {
      refused = await h.api.post('/im/executions/unitary').send(call('store-busy')).expect(503);
    } finally {
      other.exec('ROLLBACK');
    }
    expect(refused.body.code).toBe('store-unavailable');
    expect(refused.headers['retry-after']).toBe('2');
    const queued = await queuedJobIds();
    expect(queued).toHaveLength(2);
    expect(await executionsOf('store-busy')).toEqual([]);

    const accepted = await h.api.post('/im/executions/unitary').send(call('store-busy')).expect(202);
    const { executionId } = accepted.body;
    expect(queued).toEqual([`${executionId}-r0`, `${executionId}-r1`]);
    expect(await queuedJobIds()).toEqual(queued);
    expect(await executionsOf('store-busy')).toEqual([
      expect.objectContaining({ id: executionId, status: 'queued', recipientCount: 2 }),
    ]);
  });

  it('answers 503 store-unavailable and queues nothing when a retried call cannot read whether it was queued', async () => {
    // The first attempt claimed the requestId and died before its jobs.
    const guard = new IdempotencyGuard(redis, {
      prefix: h.config.redis.queuePrefix,
      ttlSeconds: 60,
      bodyRequestIdEnabled: async () => true,
    });
    const claimed = await guard.begin({
      sandbox: 'prod',
      requestId: 'store-unreadable',
      fingerprint: bodyFingerprint(Buffer.from(JSON.stringify(call('store-unreadable')))),
    });
    expect(claimed.kind).toBe('new');
    if (claimed.kind !== 'new') return;

    // Only the executions are out of reach: the campaign read before them still works.
    other.exec('ALTER TABLE executions RENAME TO executions_out_of_reach');
    let refused;
    try {
      refused = await h.api.post('/im/executions/unitary').send(call('store-unreadable')).expect(503);
    } finally {
      other.exec('ALTER TABLE executions_out_of_reach RENAME TO executions');
    }
    expect(refused.body.code).toBe('store-unavailable');
    expect(refused.headers['retry-after']).toBe('2');
    expect(await queuedJobIds()).toEqual([]);

    const accepted = await h.api.post('/im/executions/unitary').send(call('store-unreadable')).expect(202);
    expect(accepted.body.executionId).toBe(claimed.executionId);
    expect(await queuedJobIds()).toEqual([`${claimed.executionId}-r0`, `${claimed.executionId}-r1`]);
  });
});
