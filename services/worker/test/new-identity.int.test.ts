import { loadConfig } from '@herald/config';
import type { Recipient } from '@herald/contracts';
import { createLogger } from '@herald/logger';
import { orderShippedCampaign, testRedisUrl, waitFor } from '@herald/testing';
import { buildWorker, type WorkerRuntime } from '../src/index';
import { startWorkerHarness, type WorkerHarness } from './worker-harness.fixture';

const SANDBOX = 'newid';
const JOBS = 20;
/** Workers on the e-mail queue: the harness's and the extra ones below. */
const WORKERS = 4;
const CONCURRENCY = JOBS / WORKERS;

describe('worker creating the profile of a new identity', () => {
  let h: WorkerHarness;
  /**
   * A worker takes the first job of a burst at once and the rest only once it has fetched them,
   * by which time that first job has created the profile: each extra worker's first job is one
   * more send racing to create it.
   */
  const extra: WorkerRuntime[] = [];

  beforeAll(async () => {
    const env = { WORKER_QUEUES: 'email', WORKER_CONCURRENCY: String(CONCURRENCY) };
    h = await startWorkerHarness('new-identity', env);
    const config = loadConfig({
      REDIS_URL: testRedisUrl(process.env),
      QUEUE_PREFIX: h.prefix,
      HERALD_DATA_DIR: h.dir.path,
      NODE_ENV: 'test',
      ...env,
    });
    const logger = createLogger({ level: 'silent', service: 'worker-test-new-identity' });
    for (let index = 1; index < WORKERS; index += 1) extra.push(await buildWorker(config, logger));
  });
  afterAll(async () => {
    await Promise.all(extra.map((runtime) => runtime.close()));
    await h?.stop();
  });

  it('creates one profile for concurrent sends to the same new identity and sends each with it', async () => {
    const identity = { namespace: 'email', id: 'newcomer@example.com' };
    const version = await h.liveCampaign(orderShippedCampaign({ createProfiles: true }), SANDBOX);
    const recipients: Recipient[] = Array.from({ length: JOBS }, (_, index) => ({
      type: 'aep',
      namespace: identity.namespace,
      userId: identity.id,
      channelData: { emailAddress: identity.id },
      context: { orderId: `N-${index}`, total: index },
    }));
    expect(await h.store.profiles.findByIdentity(SANDBOX, identity)).toBeNull();

    const { executionId } = await h.enqueue(version, recipients);
    const records = await h.settled(executionId, JOBS, undefined, SANDBOX);

    // At least one job per worker was in flight before the first one finished: the sends raced.
    const jobs = await waitFor(
      async () => {
        const completed = await h.queue('email').getJobs(['completed']);
        return completed.length === JOBS ? completed : undefined;
      },
      { description: `${JOBS} completed jobs` },
    );
    const firstFinished = Math.min(...jobs.map((job) => job.finishedOn ?? Infinity));
    const startedBefore = jobs.filter((job) => (job.processedOn ?? Infinity) < firstFinished);
    // At least two sends raced to create the profile (usually nearly all twenty do); more is not
    // guaranteed on a loaded machine, where a worker may fetch its jobs late.
    expect(startedBefore.length).toBeGreaterThanOrEqual(2);

    // The sandbox holds nothing else: any second profile, with or without the identity, is a duplicate.
    const profiles = (await h.store.profiles.list(SANDBOX, { limit: 100 })).items;
    expect(profiles).toHaveLength(1);
    const profile = await h.store.profiles.findByIdentity(SANDBOX, identity);
    expect(profile?.id).toBe(profiles[0]?.id);
    expect(records).toHaveLength(JOBS);
    // One attempt each: a job that lost a creation race must find the winner's profile, not fail and retry.
    expect(records.map((r) => ({ status: r.status, profileId: r.profileId, attempts: r.attempts }))).toEqual(
      Array.from({ length: JOBS }, () => ({ status: 'sent', profileId: profile?.id, attempts: 1 })),
    );
  });
});
