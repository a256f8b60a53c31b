import { Redis } from 'ioredis';
import { deliveryJobId, type Execution } from '@herald/contracts';
import { DeliveryCounters } from '@herald/queues';
import { freePort, startRedisServer, type RedisServerHandle } from '@herald/testing';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';
import { ExecutionFixtures, failJobs, type Outcome } from './executions.fixture';

const exhausted: Outcome = ['failed', 'retries-exhausted'];

interface Replay {
  h: ApiHarness;
  redis: Redis;
  fixtures: ExecutionFixtures;
}

async function startReplay(name: string, env: Record<string, string> = {}): Promise<Replay> {
  const h = await startApiHarness(name, env);
  const redis = new Redis(h.config.redis.url, { maxRetriesPerRequest: null });
  return {
    h,
    redis,
    fixtures: new ExecutionFixtures(h.store, new DeliveryCounters(redis, h.config.redis.queuePrefix)),
  };
}

/** An execution of `count` recipients whose jobs all failed and whose records say so. */
async function failedExecution({ h, redis, fixtures }: Replay, count: number): Promise<Execution> {
  const execution = await fixtures.newExecution(count);
  const ids = Array.from({ length: count }, (_, index) => deliveryJobId(execution.id, index));
  await h.emailQueue.addBulk(
    ids.map((jobId) => ({ name: 'deliver', data: {}, opts: { jobId, attempts: 1 } })),
  );
  await failJobs(h.emailQueue, redis, ids);
  await fixtures.settle(
    execution.id,
    ids.map(() => exhausted),
  );
  return execution;
}

describe('POST /executions/{id}/failures/replay of jobs no longer failed', () => {
  let r: Replay;

  beforeAll(async () => {
    r = await startReplay('replay-not-failed');
  });
  afterAll(async () => {
    r.redis.disconnect();
    await r.h.close();
  });

  it('leaves a failed record alone whose job was already retried in the queue (job-not-failed)', async () => {
    const execution = await failedExecution(r, 1);
    const id = deliveryJobId(execution.id, 0);
    // Retried in Redis directly (Bull Board, another tool): the record still says failed.
    await (await r.h.emailQueue.getJob(id))?.retry('failed');

    const res = await r.h.api
      .post(`/executions/${execution.id}/failures/replay`)
      .send({ deliveryIds: [id] })
      .expect(202);
    expect(res.body).toEqual({ replayed: 0, notReplayable: [{ deliveryId: id, reason: 'job-not-failed' }] });
    expect(await r.h.emailQueue.getJobState(id)).toBe('waiting');
    expect(await r.h.store.deliveries.get('prod', id)).toMatchObject({
      status: 'failed',
      reason: 'retries-exhausted',
    });
  });

  it('does not replay twice a failure another replay has just moved back to waiting', async () => {
    const execution = await failedExecution(r, 1);
    const id = deliveryJobId(execution.id, 0);
    const replay = (body: object) => r.h.api.post(`/executions/${execution.id}/failures/replay`).send(body);
    expect((await replay({ deliveryIds: [id] }).expect(202)).body).toEqual({
      replayed: 1,
      notReplayable: [],
    });

    expect((await replay({ deliveryIds: [id] }).expect(202)).body).toEqual({
      replayed: 0,
      notReplayable: [{ deliveryId: id, reason: 'job-not-failed' }],
    });
    // A replay of the whole execution counts a replay under way as neither done nor refused.
    expect((await replay({}).expect(202)).body).toEqual({ replayed: 0, notReplayable: [] });
    expect(await r.h.emailQueue.getJobs(['waiting'])).toEqual([expect.objectContaining({ id })]);
    expect(await r.h.store.deliveries.get('prod', id)).toMatchObject({
      status: 'queued',
      reason: 'replayed',
    });
  });
});

describe('POST /executions/{id}/failures/replay while Redis refuses writes', () => {
  let server: RedisServerHandle;
  let r: Replay;
  let admin: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    r = await startReplay('replay-read-only', { REDIS_URL: server.url });
    admin = new Redis(server.url);
  });
  afterAll(async () => {
    admin.disconnect();
    r.redis.disconnect();
    await r.h.close();
    await server.stop();
  });

  it('reports a failed job that cannot be moved back to waiting (retry-failed) and keeps its record failed', async () => {
    const execution = await failedExecution(r, 1);
    const id = deliveryJobId(execution.id, 0);
    // A replica of a primary it cannot reach: it still serves its data, and refuses every write.
    await admin.call('REPLICAOF', '127.0.0.1', String(await freePort()));
    let res;
    try {
      res = await r.h.api.post(`/executions/${execution.id}/failures/replay`).expect(202);
      expect(await r.h.emailQueue.getJobState(id)).toBe('failed');
    } finally {
      await admin.call('REPLICAOF', 'NO', 'ONE');
    }
    expect(res.body).toEqual({ replayed: 0, notReplayable: [{ deliveryId: id, reason: 'retry-failed' }] });
    const record = await r.h.store.deliveries.get('prod', id);
    expect(record).toMatchObject({ status: 'failed', reason: 'retries-exhausted' });
    expect(record?.history.map((event) => event.status)).toEqual(['failed', 'queued', 'failed']);
    expect(record?.history.at(-1)?.detail).toMatch(/replay failed/);

    const again = await r.h.api.post(`/executions/${execution.id}/failures/replay`).expect(202);
    expect(again.body).toEqual({ replayed: 1, notReplayable: [] });
    expect(await r.h.emailQueue.getJobState(id)).toBe('waiting');
  });
});
