import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES, type Channel, type Delivery, type DeliveryJobData } from '@herald/contracts';
import { orderShippedCampaign, pushCampaignFixture, waitFor } from '@herald/testing';
import { startFcmStandin, type FcmStandin } from '@herald/channels/test-support';
import { getJson } from './support/herald-processes';
import { startSystemHarness, type SystemHarness } from './support/system-harness';

const CALLS = 5;
const RECIPIENTS_PER_CALL = 200;
const TOTAL = CALLS * RECIPIENTS_PER_CALL;
/** Jobs each worker runs at once: the most a SIGKILL can leave half-done, hence the duplicate bound. */
const CONCURRENCY = 10;

const crashEnv = {
  // A short lock lets the surviving workers take over the killed worker's in-flight jobs quickly.
  WORKER_LOCK_DURATION_MS: '2000',
  WORKER_CONCURRENCY: String(CONCURRENCY),
  API_MAX_RECIPIENTS: String(RECIPIENTS_PER_CALL),
};

/** One channel's side of the crash: how its recipients are made and its provider counts sends. */
interface CrashScenario {
  system: SystemHarness;
  channel: Channel;
  campaignId: string;
  recipient(call: number, index: number): unknown;
  /** Sends the provider accepted so far. */
  acceptedCount(): number;
  /** How many times the provider accepted each destination (a delivery id, or a device token). */
  acceptedByDestination(): Map<string, number>;
  /** The destination key of a delivery record, as `acceptedByDestination` counts it. */
  destinationOf(delivery: Delivery): string;
}

function countBy(keys: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

/**
 * Triggers TOTAL deliveries, kills one of two workers with SIGKILL while it sends, restarts it and
 * waits for every outcome; checks that none is lost, each is recorded once and sent at least once,
 * and at most the killed worker's in-flight jobs are sent twice. Returns the records and executions.
 */
async function killAWorkerWhileSending(
  scenario: CrashScenario,
): Promise<{ settled: Delivery[]; executionIds: string[] }> {
  const { system, channel } = scenario;
  const executionIds: string[] = [];
  for (let call = 0; call < CALLS; call += 1) {
    const accepted = await system.triggerUnitary({
      requestId: `crash-${channel}-${call}`,
      campaignId: scenario.campaignId,
      recipients: Array.from({ length: RECIPIENTS_PER_CALL }, (_, index) => scenario.recipient(call, index)),
    });
    expect(accepted.status).toBe(202);
    executionIds.push(String(accepted.body.executionId));
  }

  const [doomed] = await Promise.all([system.startWorker(), system.startWorker()]);
  await waitFor(() => scenario.acceptedCount() >= TOTAL / 10, {
    timeoutMs: 20_000,
    intervalMs: 10,
    description: 'a tenth of the deliveries accepted',
  });
  doomed.child.kill('SIGKILL');
  await doomed.exited;
  const acceptedAtKill = scenario.acceptedCount();
  // The kill must land while work remains, or this test proves nothing.
  expect(scenario.acceptedByDestination().size).toBeLessThan(TOTAL);
  // The killed worker comes back, as an orchestrator would restart it.
  await system.startWorker();

  const records = async () =>
    (
      await Promise.all(
        executionIds.map(
          async (executionId) =>
            (
              await system.store.deliveries.listByExecution('prod', executionId, {
                limit: RECIPIENTS_PER_CALL,
              })
            ).items,
        ),
      )
    ).flat();
  await waitFor(async () => (await records()).filter((d) => d.status !== 'queued').length === TOTAL, {
    timeoutMs: 25_000,
    intervalMs: 250,
    description: `${TOTAL} delivery outcomes`,
  });
  // A job recorded as sent but not yet acknowledged when its worker died is sent again later.
  const connection = new Redis(system.env.REDIS_URL ?? '', { maxRetriesPerRequest: null });
  const queue = new Queue<DeliveryJobData>(QUEUE_NAMES[channel], {
    connection,
    prefix: system.env.QUEUE_PREFIX,
  });
  try {
    await waitFor(
      async () => {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        return Object.values(counts).every((count) => count === 0);
      },
      { timeoutMs: 10_000, intervalMs: 100, description: `an empty ${channel} queue` },
    );
  } finally {
    if (channel !== 'email') await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
  }

  const settled = await records();
  expect(settled).toHaveLength(TOTAL);
  expect(new Set(settled.map((d) => d.id)).size).toBe(TOTAL);
  expect(settled.filter((d) => d.status !== 'sent' && d.status !== 'excluded')).toEqual([]);

  const accepted = scenario.acceptedByDestination();
  const sent = settled.filter((d) => d.status === 'sent');
  expect(sent.filter((d) => !accepted.has(scenario.destinationOf(d)))).toEqual([]);
  expect(accepted.size).toBe(sent.length);

  const duplicates = scenario.acceptedCount() - accepted.size;
  process.stdout.write(
    `worker-crash (${channel}): killed after ${acceptedAtKill} sends; ${scenario.acceptedCount()} sends accepted for ${accepted.size} deliveries, ${duplicates} duplicates (bound ${CONCURRENCY})\n`,
  );
  expect(duplicates).toBeLessThanOrEqual(CONCURRENCY);
  return { settled, executionIds };
}

describe('a worker killed with SIGKILL while it sends through SendGrid', () => {
  let system: SystemHarness;

  beforeAll(async () => {
    system = await startSystemHarness('crash', { sendgrid: true, env: crashEnv });
    // Each send takes a while, so the killed worker surely has sends in flight.
    system.standin.behave({ latencyMs: 20 });
  });
  afterAll(async () => system?.close());

  it('loses no delivery: the other workers send every one, records it once, and re-send at most the in-flight jobs', async () => {
    const { standin, apiUrl } = system;
    const { settled, executionIds } = await killAWorkerWhileSending({
      system,
      channel: 'email',
      campaignId: await system.createLiveCampaign(orderShippedCampaign()),
      recipient: (call, index) => ({
        type: 'aep',
        userId: `r${call}-${index}@example.com`,
        namespace: 'email',
        context: { orderId: `${call}-${index}`, total: index },
      }),
      acceptedCount: () => standin.acceptedCount,
      acceptedByDestination: () => countBy(standin.accepted.map((mail) => mail.customArgs.delivery_id ?? '')),
      destinationOf: (delivery) => delivery.id,
    });

    // The record names a message the provider really accepted for that delivery (a batched request
    // gives all its recipients one message id, so the pair is what identifies the send).
    const acceptedPairs = new Set(
      standin.accepted.map((mail) => `${mail.messageId} ${mail.customArgs.delivery_id ?? ''}`),
    );
    const sent = settled.filter((d) => d.status === 'sent');
    expect(sent.filter((d) => !acceptedPairs.has(`${d.providerMessageId ?? ''} ${d.id}`))).toEqual([]);

    // The live counters count each delivery at most once, however many times it was sent. They can
    // miss the killed worker's last batch when the kill lands between its store commit and its counter
    // update (docs/architecture.md, crash table): at most its in-flight jobs, and the report turns to
    // the store's counts once the live ones are stale. Every other delivery is counted exactly once.
    let missed = 0;
    for (const executionId of executionIds) {
      const report = await getJson(`${apiUrl}/executions/${executionId}`);
      // Counters that missed the batch and then stood still for 10 s give way to the store's count.
      expect(['live', 'store']).toContain(report.body.countsSource);
      const counts = report.body.counts as Record<string, number>;
      expect(counts.failed).toBe(0);
      const counted = counts.sent! + counts.excluded!;
      expect(counted).toBeLessThanOrEqual(RECIPIENTS_PER_CALL);
      expect(counts.pending).toBe(RECIPIENTS_PER_CALL - counted);
      expect(report.body.status).toBe(counted === RECIPIENTS_PER_CALL ? 'Completed' : 'InProgress');
      missed += RECIPIENTS_PER_CALL - counted;
    }
    process.stdout.write(
      `worker-crash: ${missed} deliveries missing from the live counters (bound ${CONCURRENCY})\n`,
    );
    expect(missed).toBeLessThanOrEqual(CONCURRENCY);
  });
});

describe('a worker killed with SIGKILL while it sends mobile push through FCM', () => {
  const APP_ID = '1:1042:android:7b1e';
  let fcm: FcmStandin;
  let system: SystemHarness;

  beforeAll(async () => {
    fcm = await startFcmStandin();
    // Each send takes a while, so the killed worker surely has sends in flight.
    fcm.behave({ latencyMs: 20 });
    system = await startSystemHarness('crash-push', {
      env: {
        ...crashEnv,
        WORKER_QUEUES: 'push',
        FCM_SERVICE_ACCOUNT_JSON: JSON.stringify(fcm.serviceAccount),
        FCM_API_URL: fcm.url,
      },
    });
  });
  afterAll(async () => {
    await system?.close();
    await fcm?.close();
  });

  it('loses no push: every device gets it, each delivery is recorded once, at most the in-flight jobs twice', async () => {
    const campaign = {
      ...pushCampaignFixture,
      channelConfig: { push: { ...pushCampaignFixture.channelConfig.push, appId: APP_ID } },
    };
    const tokens = Array.from({ length: TOTAL }, () => fcm.createToken());
    await killAWorkerWhileSending({
      system,
      channel: 'push',
      campaignId: await system.createLiveCampaign(campaign),
      // AJO's shape: the device named in the call.
      recipient: (call, index) => ({
        type: 'external',
        userId: `device-${call}-${index}`,
        namespace: 'crmId',
        channelData: {
          pushInfo: { appID: APP_ID, platform: 'fcm', token: tokens[call * RECIPIENTS_PER_CALL + index] },
        },
        context: { orderId: `${call}-${index}` },
      }),
      acceptedCount: () => fcm.received.length,
      acceptedByDestination: () => countBy(fcm.received.map((message) => message.token)),
      destinationOf: (delivery) => delivery.address ?? '',
    });
  });
});
