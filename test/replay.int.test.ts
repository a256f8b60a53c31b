import type { Queue } from 'bullmq';
import type { Delivery, DeliveryJobData } from '@herald/contracts';
import type { Store } from '@herald/store';
import { orderShippedCampaign, waitFor } from '@herald/testing';
import { type SendGridStandin } from '@herald/channels/test-support';
import { getJson, postJson } from './support/herald-processes';
import { orderRecipients, startSystemHarness, type SystemHarness } from './support/system-harness';

/** Attempts of every delivery job: a transient failure is retried once, then dead-lettered. */
const MAX_ATTEMPTS = 2;

/** The dead letter end to end: provider failures → failed records → failure listing → replay → sent. */
describe('failed deliveries and their replay, through API and worker processes', () => {
  let system: SystemHarness;
  let standin: SendGridStandin;
  let store: Store;
  let emailQueue: Queue<DeliveryJobData>;
  let apiUrl: string;
  let campaignId: string;

  beforeAll(async () => {
    system = await startSystemHarness('replay', {
      sendgrid: true,
      workers: 1,
      env: {
        WORKER_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
        // One request per e-mail, so that the stand-in's "next N requests fail" fails exactly N e-mails.
        SENDGRID_MAX_BATCH_SIZE: '1',
      },
    });
    ({ standin, store, emailQueue, apiUrl } = system);
    campaignId = await system.createLiveCampaign(orderShippedCampaign());
  });
  afterAll(async () => system?.close());
  afterEach(() => standin.behave({}));

  const trigger = async (requestId: string, recipients: number): Promise<string> => {
    const accepted = await system.triggerUnitary({
      requestId,
      campaignId,
      recipients: orderRecipients(requestId, recipients, (index) => `${requestId}-${index}`),
    });
    expect(accepted.status).toBe(202);
    return String(accepted.body.executionId);
  };

  /** The execution's records once none is queued any more (and every job has left the queue). */
  const settledRecords = (executionId: string, recipients: number): Promise<Delivery[]> =>
    waitFor(
      async () => {
        const page = await store.deliveries.listByExecution('prod', executionId, { limit: recipients });
        if (page.items.length !== recipients || page.items.some((d) => d.status === 'queued')) return;
        const states = await Promise.all(page.items.map((d) => emailQueue.getJobState(d.id)));
        return states.every((state) => state === 'completed' || state === 'failed') ? page.items : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100, description: `the outcomes of ${executionId}` },
    );

  const acceptedIds = (): Set<string> =>
    new Set(standin.accepted.map((mail) => mail.customArgs.delivery_id ?? ''));

  const report = async (executionId: string) => (await getJson(`${apiUrl}/executions/${executionId}`)).body;

  const failures = async (executionId: string) => {
    const listed = await getJson(`${apiUrl}/executions/${executionId}/failures`);
    expect(listed.status).toBe(200);
    return listed.body.items as Array<Delivery & { replayable: boolean }>;
  };

  /** Replays every failure of the execution and waits until each replayed delivery is sent. */
  const replayAll = async (executionId: string, recipients: number, failedIds: string[]) => {
    const replayed = await postJson(`${apiUrl}/executions/${executionId}/failures/replay`);
    expect(replayed).toEqual({ status: 202, body: { replayed: failedIds.length, notReplayable: [] } });
    // The replay marks the records queued before it answers, so settling means the workers sent them again.
    const records = await settledRecords(executionId, recipients);
    expect(records.filter((d) => d.status !== 'sent')).toEqual([]);
    const accepted = acceptedIds();
    expect(failedIds.filter((id) => !accepted.has(id))).toEqual([]);
    for (const id of failedIds) {
      const record = records.find((d) => d.id === id);
      expect(record?.history.map((event) => event.status)).toEqual(['failed', 'queued', 'sent']);
      // The replayed job starts over with its full attempts.
      expect(record?.attempts).toBe(1);
    }
    expect(await failures(executionId)).toEqual([]);
    const after = await report(executionId);
    expect(after).toMatchObject({
      status: 'Completed',
      countsSource: 'live',
      counts: { sent: recipients, failed: 0, pending: 0 },
    });
    expect((after.counts as Record<string, unknown>).failedByReason).toEqual({});
    // Nothing is left in the dead letter: a second replay has nothing to do.
    expect(await postJson(`${apiUrl}/executions/${executionId}/failures/replay`)).toEqual({
      status: 202,
      body: { replayed: 0, notReplayable: [] },
    });
  };

  it('fails provider-rejected deliveries after one attempt, lists them as replayable, and sends them on replay', async () => {
    const REJECTED = 3;
    const RECIPIENTS = 8;
    standin.behave({ status: 400, times: REJECTED });
    const executionId = await trigger('rejected', RECIPIENTS);

    const records = await settledRecords(executionId, RECIPIENTS);
    const failed = records.filter((d) => d.status === 'failed');
    expect(failed).toHaveLength(REJECTED);
    expect(records.filter((d) => d.status === 'sent')).toHaveLength(RECIPIENTS - REJECTED);
    for (const delivery of failed) {
      expect(delivery).toMatchObject({ reason: 'provider-rejected', attempts: 1 });
    }
    const failedIds = failed.map((d) => d.id);
    expect(failedIds.filter((id) => acceptedIds().has(id))).toEqual([]);

    expect(await report(executionId)).toMatchObject({
      status: 'Completed',
      recipients: RECIPIENTS,
      counts: {
        sent: RECIPIENTS - REJECTED,
        failed: REJECTED,
        failedByReason: { 'provider-rejected': REJECTED },
        pending: 0,
      },
    });
    const listed = await failures(executionId);
    expect(listed.map((d) => d.id).sort()).toEqual([...failedIds].sort());
    expect(listed.every((d) => d.replayable && d.reason === 'provider-rejected')).toBe(true);

    await replayAll(executionId, RECIPIENTS, failedIds);
  });

  it('fails a delivery with retries-exhausted when the provider stays unavailable, and replays it', async () => {
    const RECIPIENTS = 2;
    // Every attempt of both deliveries meets a 500.
    standin.behave({ status: 500, times: RECIPIENTS * MAX_ATTEMPTS });
    const requestsBefore = standin.requestCount;
    const executionId = await trigger('unavailable', RECIPIENTS);

    const records = await settledRecords(executionId, RECIPIENTS);
    for (const delivery of records) {
      expect(delivery).toMatchObject({
        status: 'failed',
        reason: 'retries-exhausted',
        attempts: MAX_ATTEMPTS,
      });
      expect(delivery.lastError).toContain('HTTP 500');
    }
    expect(standin.requestCount - requestsBefore).toBe(RECIPIENTS * MAX_ATTEMPTS);
    expect(await report(executionId)).toMatchObject({
      status: 'Completed',
      counts: { sent: 0, failed: RECIPIENTS, failedByReason: { 'retries-exhausted': RECIPIENTS } },
    });
    const listed = await failures(executionId);
    expect(listed).toHaveLength(RECIPIENTS);
    expect(listed.every((d) => d.replayable)).toBe(true);

    await replayAll(
      executionId,
      RECIPIENTS,
      records.map((d) => d.id),
    );
  });
});
