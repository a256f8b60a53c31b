import { orderShippedCampaign, waitFor } from '@herald/testing';
import { getJson } from './support/herald-processes';
import { startSystemHarness, type SystemHarness } from './support/system-harness';

const CALLS = 5;
const RECIPIENTS_PER_CALL = 200;
const TOTAL = CALLS * RECIPIENTS_PER_CALL;
/** Jobs each worker runs at once: the most a SIGKILL can leave half-done, hence the duplicate bound. */
const CONCURRENCY = 10;

describe('a worker killed with SIGKILL while it sends through SendGrid', () => {
  let system: SystemHarness;

  beforeAll(async () => {
    system = await startSystemHarness('crash', {
      sendgrid: true,
      env: {
        // A short lock lets the surviving workers take over the killed worker's in-flight jobs quickly.
        WORKER_LOCK_DURATION_MS: '2000',
        WORKER_CONCURRENCY: String(CONCURRENCY),
        API_MAX_RECIPIENTS: String(RECIPIENTS_PER_CALL),
      },
    });
    // Each send takes a while, so the killed worker surely has sends in flight.
    system.standin.behave({ latencyMs: 20 });
  });
  afterAll(async () => system?.close());

  /** How many times the stand-in accepted each delivery id. */
  const acceptedByDelivery = (): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const mail of system.standin.accepted) {
      const id = mail.customArgs.delivery_id ?? '';
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  };

  it('loses no delivery: the other workers send every one, records it once, and re-send at most the in-flight jobs', async () => {
    const { standin, store, emailQueue, apiUrl } = system;
    const campaignId = await system.createLiveCampaign(orderShippedCampaign());

    const executionIds: string[] = [];
    for (let call = 0; call < CALLS; call += 1) {
      const accepted = await system.triggerUnitary({
        requestId: `crash-${call}`,
        campaignId,
        recipients: Array.from({ length: RECIPIENTS_PER_CALL }, (_, index) => ({
          type: 'aep',
          userId: `r${call}-${index}@example.com`,
          namespace: 'email',
          context: { orderId: `${call}-${index}`, total: index },
        })),
      });
      expect(accepted.status).toBe(202);
      executionIds.push(String(accepted.body.executionId));
    }

    const [doomed] = await Promise.all([system.startWorker(), system.startWorker()]);
    await waitFor(() => standin.acceptedCount >= TOTAL / 10, {
      timeoutMs: 20_000,
      intervalMs: 10,
      description: 'a tenth of the deliveries accepted',
    });
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    const acceptedAtKill = standin.acceptedCount;
    // The kill must land while work remains, or this test proves nothing.
    expect(acceptedByDelivery().size).toBeLessThan(TOTAL);
    // The killed worker comes back, as an orchestrator would restart it.
    await system.startWorker();

    const records = async () =>
      (
        await Promise.all(
          executionIds.map(
            async (executionId) =>
              (await store.deliveries.listByExecution('prod', executionId, { limit: RECIPIENTS_PER_CALL }))
                .items,
          ),
        )
      ).flat();
    await waitFor(async () => (await records()).filter((d) => d.status !== 'queued').length === TOTAL, {
      timeoutMs: 25_000,
      intervalMs: 250,
      description: `${TOTAL} delivery outcomes`,
    });
    // A job recorded as sent but not yet acknowledged when its worker died is sent again later.
    await waitFor(
      async () => {
        const counts = await emailQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        return Object.values(counts).every((count) => count === 0);
      },
      { timeoutMs: 10_000, intervalMs: 100, description: 'an empty e-mail queue' },
    );

    const settled = await records();
    expect(settled).toHaveLength(TOTAL);
    expect(new Set(settled.map((d) => d.id)).size).toBe(TOTAL);
    expect(settled.filter((d) => d.status !== 'sent' && d.status !== 'excluded')).toEqual([]);

    const accepted = acceptedByDelivery();
    const sent = settled.filter((d) => d.status === 'sent');
    expect(sent.filter((d) => !accepted.has(d.id))).toEqual([]);
    expect(accepted.size).toBe(sent.length);
    // The record names a message the provider really accepted for that delivery (a batched request
    // gives all its recipients one message id, so the pair is what identifies the send).
    const acceptedPairs = new Set(
      standin.accepted.map((mail) => `${mail.messageId} ${mail.customArgs.delivery_id ?? ''}`),
    );
    expect(sent.filter((d) => !acceptedPairs.has(`${d.providerMessageId ?? ''} ${d.id}`))).toEqual([]);

    const duplicates = standin.acceptedCount - accepted.size;
    process.stdout.write(
      `worker-crash: killed after ${acceptedAtKill} sends; ${standin.acceptedCount} sends accepted for ${accepted.size} deliveries, ${duplicates} duplicates (bound ${CONCURRENCY})\n`,
    );
    expect(duplicates).toBeLessThanOrEqual(CONCURRENCY);

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
