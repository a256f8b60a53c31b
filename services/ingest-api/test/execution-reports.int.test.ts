import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import request from 'supertest';
import { deliveryJobId, type Execution } from '@herald/contracts';
import { DeliveryCounters, RedisKeys } from '@herald/queues';
import type { ApiKeyRole } from '@herald/store';
import { orderShippedCampaign } from '@herald/testing';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';
import { ExecutionFixtures, failJobs, type Outcome } from './executions.fixture';

describe('execution reports and the replay of failures', () => {
  let h: ApiHarness;
  let redis: Redis;
  let counters: DeliveryCounters;
  let fixtures: ExecutionFixtures;
  const keyOf = (role: ApiKeyRole, sandbox = 'prod') => `reports-${role}-${sandbox}-0123456789abcdef`;
  const as = (role: ApiKeyRole, sandbox = 'prod') => ({ 'x-api-key': keyOf(role, sandbox) });

  beforeAll(async () => {
    h = await startApiHarness('exec-reports');
    redis = new Redis(h.config.redis.url, { maxRetriesPerRequest: null });
    counters = new DeliveryCounters(redis, h.config.redis.queuePrefix);
    fixtures = new ExecutionFixtures(h.store, counters);
    const keys: Array<[ApiKeyRole, string]> = [
      ['execute', 'prod'],
      ['manage', 'prod'],
      ['admin', 'prod'],
      ['execute', 'other'],
    ];
    for (const [role, sandbox] of keys) {
      await h.addApiKey(keyOf(role, sandbox), {
        name: `${role}@${sandbox}`,
        roles: [role],
        sandboxes: [sandbox],
      });
    }
  });
  afterAll(async () => {
    redis.disconnect();
    await h.close();
  });

  const report = async (executionId: string) =>
    (await h.api.get(`/executions/${executionId}`).expect(200)).body;

  it('reports live counts, InProgress until every recipient has an outcome, then Completed', async () => {
    const execution = await fixtures.newExecution(3);
    await fixtures.settle(execution.id, [['sent'], ['excluded', 'suppressed']]);
    expect(await report(execution.id)).toMatchObject({
      executionId: execution.id,
      kind: 'unitary',
      campaignId: 'campaign-1',
      campaignVersion: 1,
      createdAt: execution.createdAt,
      status: 'InProgress',
      recipients: 3,
      counts: { sent: 1, excluded: 1, excludedByReason: { suppressed: 1 }, failed: 0, pending: 1 },
      countsSource: 'live',
    });
    await fixtures.settle(execution.id, [['failed', 'provider-rejected']], 2);
    const done = await report(execution.id);
    expect(done).toMatchObject({ status: 'Completed', countsSource: 'live' });
    expect(done.counts).toMatchObject({ failed: 1, failedByReason: { 'provider-rejected': 1 }, pending: 0 });
  });

  it('counts from the delivery records, to the same numbers, once the live counters are gone', async () => {
    const execution = await fixtures.newExecution(4);
    await fixtures.settle(execution.id, [
      ['sent'],
      ['sent'],
      ['excluded', 'no-address'],
      ['failed', 'retries-exhausted'],
    ]);
    await fixtures.settle(execution.id, [['delivered']]);
    const live = await report(execution.id);
    expect(live.counts).toMatchObject({ sent: 2, delivered: 1, pending: 0 });
    const keys = await redis.keys(
      new RedisKeys(h.config.redis.queuePrefix).executionCounters('prod', execution.id),
    );
    expect(keys).toHaveLength(1);
    await redis.del(...keys);
    const fromStore = await report(execution.id);
    expect(fromStore).toMatchObject({ countsSource: 'store', status: 'Completed' });
    expect(fromStore.counts).toEqual({ ...live.counts, deferred: 0 });
  });

  /** Moves the execution's last change and its counters' last move back by `ms`. */
  const age = async (execution: Execution, what: { record?: number; counters?: number }) => {
    if (what.record !== undefined) {
      const db = new Database(h.config.store.url);
      try {
        db.prepare('UPDATE executions SET updated_at = ? WHERE sandbox = ? AND id = ?').run(
          new Date(Date.now() - what.record).toISOString(),
          'prod',
          execution.id,
        );
      } finally {
        db.close();
      }
    }
    if (what.counters !== undefined) {
      const keys = await redis.keys(
        new RedisKeys(h.config.redis.queuePrefix).executionCounters('prod', execution.id),
      );
      expect(keys).toHaveLength(1);
      await redis.hset(keys[0]!, 'changedAt', Date.now() - what.counters);
    }
  };

  it('keeps live counts that missed an outcome while they move, then counts the records once they stand still for 10 s', async () => {
    const execution = await fixtures.newExecution(2);
    await fixtures.settle(execution.id, [['sent']]);
    // The worker recorded the second outcome and died before counting it.
    await fixtures.settle(execution.id, [['sent']], 1, false);
    const stillLive = {
      status: 'InProgress',
      counts: { sent: 1, pending: 1 },
      countsSource: 'live',
    };
    expect(await report(execution.id)).toMatchObject(stillLive);
    // An old execution whose counters moved a moment ago (a long throttled run): not re-counted.
    await age(execution, { record: 3_600_000, counters: 1_000 });
    expect(await report(execution.id)).toMatchObject(stillLive);
    // Counters quiet for longer than 10 s but a recent execution change (a fan-out step): still live.
    await age(execution, { record: 1_000, counters: 11_000 });
    expect(await report(execution.id)).toMatchObject(stillLive);
    await age(execution, { record: 11_000, counters: 11_000 });
    expect(await report(execution.id)).toMatchObject({
      status: 'Completed',
      counts: { sent: 2, pending: 0 },
      countsSource: 'store',
    });
  });

  it('reports audience executions against the profiles queued so far, and failed executions as Failed', async () => {
    const audience = await fixtures.newExecution(0, 'audience');
    await h.store.executions.recordFanOutProgress('prod', audience.id, {
      cursor: null,
      targetedProfileCount: 2,
    });
    await fixtures.settle(audience.id, [['sent']]);
    expect(await report(audience.id)).toMatchObject({
      kind: 'audience',
      recipients: 2,
      status: 'InProgress',
    });
    const failed = await fixtures.newExecution(1);
    await h.store.executions.setStatus('prod', failed.id, 'failed', 'queue unavailable');
    expect(await report(failed.id)).toMatchObject({ status: 'Failed', error: 'queue unavailable' });
  });

  it('pages through the delivery records by recipient, optionally of one status', async () => {
    const execution = await fixtures.newExecution(5);
    await fixtures.settle(execution.id, [
      ['sent'],
      ['excluded', 'suppressed'],
      ['sent'],
      ['sent'],
      ['failed', 'x'],
    ]);
    const indexes: number[] = [];
    let cursor: string | null = null;
    do {
      const query: Record<string, string> = { limit: '2', ...(cursor ? { cursor } : {}) };
      const page = (await h.api.get(`/executions/${execution.id}/deliveries`).query(query).expect(200)).body;
      expect(page.items.length).toBeLessThanOrEqual(2);
      indexes.push(...page.items.map((item: { recipientIndex: number }) => item.recipientIndex));
      cursor = page.nextCursor;
    } while (cursor);
    expect(indexes).toEqual([0, 1, 2, 3, 4]);
    const sent = (await h.api.get(`/executions/${execution.id}/deliveries?status=sent`).expect(200)).body;
    expect(sent.items.map((item: { id: string }) => item.id)).toEqual(
      [0, 2, 3].map((i) => deliveryJobId(execution.id, i)),
    );
    const invalid = await h.api.get(`/executions/${execution.id}/deliveries?status=lost`).expect(400);
    expect(invalid.body.code).toBe('invalid-query');
  });

  describe('failed jobs', () => {
    let execution: Execution;
    const calls = new Map<string, number>();
    const id = (index: number) => deliveryJobId(execution.id, index);
    const ids = (...indexes: number[]) => indexes.map(id);

    const failAll = (jobIds: readonly string[]) =>
      failJobs(h.emailQueue, redis, jobIds, (jobId) => calls.set(jobId, (calls.get(jobId) ?? 0) + 1));

    beforeAll(async () => {
      execution = await fixtures.newExecution(5);
      await h.emailQueue.addBulk(
        ids(0, 1, 2, 3).map((jobId) => ({ name: 'deliver', data: {}, opts: { jobId, attempts: 2 } })),
      );
      await failAll(ids(0, 1, 2, 3));
      await (await h.emailQueue.getJob(id(3)))?.remove();
      const exhausted: Outcome = ['failed', 'retries-exhausted'];
      await fixtures.settle(execution.id, [exhausted, exhausted, exhausted, exhausted, ['sent']]);
    });

    it('lists the failures with their reason, error and attempts, and whether each job can be replayed', async () => {
      const page = (await h.api.get(`/executions/${execution.id}/failures`).expect(200)).body;
      expect(
        page.items.map((item: { id: string; replayable: boolean }) => [item.id, item.replayable]),
      ).toEqual([
        [id(0), true],
        [id(1), true],
        [id(2), true],
        [id(3), false],
      ]);
      expect(page.items[0]).toMatchObject({
        status: 'failed',
        reason: 'retries-exhausted',
        lastError: 'provider said retries-exhausted',
        attempts: 1,
      });
    });

    it('replays the chosen failures with their full attempts, and says why others cannot be', async () => {
      const res = await h.api
        .post(`/executions/${execution.id}/failures/replay`)
        .send({ deliveryIds: [...ids(0, 3, 4), 'unknown-delivery'] })
        .expect(202);
      expect(res.body).toEqual({
        replayed: 1,
        notReplayable: [
          { deliveryId: id(4), reason: 'not-failed' },
          { deliveryId: 'unknown-delivery', reason: 'delivery-not-found' },
          { deliveryId: id(3), reason: 'job-not-found' },
        ],
      });
      const job = await h.emailQueue.getJob(id(0));
      expect(await job?.getState()).toBe('waiting');
      expect(job?.attemptsMade).toBe(0);
      const record = await h.store.deliveries.get('prod', id(0));
      expect(record).toMatchObject({ status: 'queued', reason: 'replayed' });
      expect(await report(execution.id)).toMatchObject({
        status: 'InProgress',
        counts: { failed: 3, pending: 1 },
        countsSource: 'live',
      });
      calls.clear();
      await failAll(ids(0));
      expect(calls.get(id(0))).toBe(2);
    });

    it('replays every failure of the execution when no delivery is named', async () => {
      const res = await h.api.post(`/executions/${execution.id}/failures/replay`).expect(202);
      expect(res.body).toEqual({
        replayed: 3,
        notReplayable: [{ deliveryId: id(3), reason: 'job-not-found' }],
      });
      const states = await Promise.all(ids(0, 1, 2).map((jobId) => h.emailQueue.getJobState(jobId)));
      expect(states).toEqual(['waiting', 'waiting', 'waiting']);
      await h.emailQueue.drain();
    });
  });

  it("reports a campaign's outcomes summed over its executions, from the live counters", async () => {
    const { id: campaignId } = await h.store.campaigns.create({
      sandbox: 'prod',
      definition: orderShippedCampaign(),
    });
    const path = `/campaigns/${campaignId}/report`;
    expect((await h.api.get(path).expect(200)).body).toMatchObject({
      campaignId,
      status: 'draft',
      countsSource: 'none',
      counts: { sent: 0, failed: 0, excluded: 0 },
    });
    const scope = (executionId: string) => ({ sandbox: 'prod', executionId, campaignId });
    await counters.apply([
      { scope: scope('e1'), from: null, to: 'sent' },
      { scope: scope('e1'), from: null, to: 'excluded', toReason: 'suppressed' },
      { scope: scope('e2'), from: null, to: 'sent' },
      { scope: scope('e2'), from: null, to: 'failed', toReason: 'provider-rejected' },
    ]);
    expect((await h.api.get(path).expect(200)).body).toMatchObject({
      countsSource: 'live',
      counts: {
        sent: 2,
        failed: 1,
        excluded: 1,
        excludedByReason: { suppressed: 1 },
        failedByReason: { 'provider-rejected': 1 },
      },
    });
    expect((await h.api.get('/campaigns/no-such-campaign/report').expect(404)).body.code).toBe(
      'campaign-not-found',
    );
    await request(h.runtime.app).get(path).set(as('execute')).expect(403);
  });

  it('answers 404 for an execution of another sandbox or none at all', async () => {
    const execution = await fixtures.newExecution(1);
    for (const path of ['', '/deliveries', '/failures']) {
      const res = await h.api.get(`/executions/missing${path}`).expect(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe('execution-not-found');
      await h.api.get(`/executions/${execution.id}${path}`).set('x-sandbox-name', 'other').expect(404);
    }
    await h.api.post('/executions/missing/failures/replay').expect(404);
  });

  it('lets execute and manage keys read, only manage keys replay', async () => {
    const { id } = await fixtures.newExecution(1);
    const app = () => request(h.runtime.app);
    await app().get(`/executions/${id}`).set(as('execute')).expect(200);
    await app().get(`/executions/${id}/failures`).set(as('manage')).expect(200);
    await app().get(`/executions/${id}`).set(as('admin')).expect(403);
    await app().get(`/executions/${id}`).set(as('execute', 'other')).expect(403);
    await app().get(`/executions/${id}`).expect(401);
    await app().post(`/executions/${id}/failures/replay`).set(as('execute')).expect(403);
    await app().post(`/executions/${id}/failures/replay`).set(as('manage')).send({}).expect(202);
  });

  it('refuses a replay request that names no, or too many, deliveries, or is not JSON', async () => {
    const { id } = await fixtures.newExecution(1);
    const replay = () => h.api.post(`/executions/${id}/failures/replay`);
    expect((await replay().send({ deliveryIds: [] }).expect(400)).body.code).toBe('invalid-replay');
    const tooMany = Array.from({ length: 1001 }, (_, i) => `d-${i}`);
    await replay().send({ deliveryIds: tooMany }).expect(400);
    await replay().set('content-type', 'text/plain').send('everything').expect(415);
  });
});
