import { deliveryJobId } from '@herald/contracts';
import type { Store } from '@herald/store';
import { orderShippedCampaign, waitFor, type ServiceProcess } from '@herald/testing';
import { PROCESS_ADMIN_KEY, postJson, type JsonResponse } from './support/herald-processes';
import { startSystemHarness, type SystemHarness } from './support/system-harness';

const PROFILES = 10_000;

const springSale = (audienceId: string) =>
  orderShippedCampaign({
    name: 'Spring sale',
    type: 'marketing',
    audience: { id: audienceId },
    contextSchema: {
      type: 'object',
      properties: { promoCode: { type: 'string' }, orderId: { type: 'string' }, total: { type: 'number' } },
    },
  });

async function call(method: 'GET' | 'DELETE', url: string): Promise<JsonResponse> {
  const response = await fetch(url, { method, headers: { authorization: `Bearer ${PROCESS_ADMIN_KEY}` } });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe('audience fan-out with real processes', () => {
  let system: SystemHarness;
  let apiUrl: string;
  let worker: ServiceProcess;
  let store: Store;

  beforeAll(async () => {
    // Only the fan-out queue is served: delivery jobs stay in Redis for the test to count.
    system = await startSystemHarness('fan-out', {
      env: { WORKER_LOCK_DURATION_MS: '2000', WORKER_QUEUES: 'fanout', FANOUT_PAGE_SIZE: '100' },
    });
    ({ apiUrl, store } = system);
    worker = await system.startWorker();
  });
  afterAll(async () => system?.close());

  const audience = async (body: unknown): Promise<string> => {
    const created = await postJson(`${apiUrl}/audiences`, body);
    if (created.status !== 201) throw new Error(`audience: ${JSON.stringify(created.body)}`);
    return String(created.body.id);
  };

  it('queues each profile exactly once when its worker is killed in the middle of the fan-out', async () => {
    for (let i = 0; i < PROFILES; i += 1) {
      await store.profiles.upsert('prod', {
        identities: [
          { namespace: 'crmId', id: `crm-${i}` },
          { namespace: 'email', id: `p${i}@example.com` },
        ],
        attributes: { segment: 'spring' },
      });
    }
    const audienceId = await audience({
      name: 'Spring',
      kind: 'query',
      query: { 'attributes.segment': 'spring' },
    });
    const campaignId = await system.createLiveCampaign(springSale(audienceId));

    const accepted = await postJson(`${apiUrl}/im/executions/audience`, {
      campaignId,
      context: { promoCode: 'SPRING' },
    });
    expect(accepted.status).toBe(202);
    const executionId = String(accepted.body.executionId);
    const targeted = async () => (await store.executions.get('prod', executionId))?.targetedProfileCount ?? 0;
    await waitFor(async () => (await targeted()) > 0, { timeoutMs: 20_000, intervalMs: 5 });
    worker.child.kill('SIGKILL');
    await worker.exited;
    // The kill must land while profiles remain, or this test proves nothing.
    expect(await targeted()).toBeLessThan(PROFILES);

    await system.startWorker();
    const done = await waitFor(
      async () => {
        const res = await call('GET', `${apiUrl}/im/executions/audience/${executionId}`);
        return res.body.status === 'InProgress' ? undefined : res.body;
      },
      { timeoutMs: 30_000, description: 'fan-out resumed and finished' },
    );

    expect(done).toMatchObject({ status: 'Succeeded', targetedProfileCount: PROFILES, audienceId });
    const jobs = await system.emailQueue.getJobs(['waiting', 'delayed', 'prioritized']);
    expect(jobs).toHaveLength(PROFILES);
    expect(new Set(jobs.map((job) => job.id))).toEqual(
      new Set(Array.from({ length: PROFILES }, (_, index) => deliveryJobId(executionId, index))),
    );
    const addressed = new Set(jobs.map((job) => job.data.recipient.userId));
    expect(addressed.size).toBe(PROFILES);
    expect(addressed.has('p0@example.com')).toBe(true);
    // The call's context is kept once, on the execution; every job refers to it.
    expect(await store.executions.getContext('prod', executionId)).toEqual({ promoCode: 'SPRING' });
    expect(
      jobs.filter((job) => job.data.contextOfExecution !== true || job.data.recipient.context !== undefined),
    ).toEqual([]);
    expect(
      jobs.every((job) => job.data.recipient.type === 'aep' && job.data.recipient.namespace === 'email'),
    ).toBe(true);
  }, 90_000);

  it('fires a schedule at executeAt, then reports it Triggered with its execution', async () => {
    const audienceId = await audience({
      name: 'Three',
      kind: 'static',
      identities: [0, 1, 2].map((i) => ({ namespace: 'email', id: `p${i}@example.com` })),
    });
    const campaignId = await system.createLiveCampaign(springSale(audienceId));

    const scheduled = await postJson(`${apiUrl}/im/executions/audience`, {
      campaignId,
      schedule: { executeAt: new Date(Date.now() + 1500).toISOString() },
    });
    expect(scheduled.status).toBe(202);
    expect(scheduled.body.scheduleStatus).toBe('Scheduled');
    const url = `${apiUrl}/im/executions/schedules/${String(scheduled.body.scheduleId)}`;
    expect((await call('GET', url)).body.scheduleStatus).toBe('Scheduled');

    const triggered = await waitFor(
      async () => {
        const res = await call('GET', url);
        const details = res.body.executionDetails as Record<string, unknown> | undefined;
        return details?.status === 'Succeeded' ? res.body : undefined;
      },
      { timeoutMs: 15_000, description: 'schedule fired' },
    );

    expect(triggered).toMatchObject({
      scheduleStatus: 'Triggered',
      campaignId,
      audience: { id: audienceId },
      executionDetails: { campaignId, audienceId, status: 'Succeeded', targetedProfileCount: 3 },
    });
    expect((await call('DELETE', url)).status).toBe(404);
  });

  it('never fires a schedule cancelled before executeAt, while a running worker fires the one left', async () => {
    const audienceId = await audience({
      name: 'One',
      kind: 'static',
      identities: [{ namespace: 'email', id: 'p0@example.com' }],
    });
    const campaignId = await system.createLiveCampaign(springSale(audienceId));
    // Far enough out that the cancellation lands first even on a loaded machine.
    const executeAt = Date.now() + 4000;
    const schedule = async (at: number) => {
      const scheduled = await postJson(`${apiUrl}/im/executions/audience`, {
        campaignId,
        schedule: { executeAt: new Date(at).toISOString() },
      });
      expect(scheduled.status).toBe(202);
      return String(scheduled.body.scheduleId);
    };
    const cancelledId = await schedule(executeAt);
    expect((await call('DELETE', `${apiUrl}/im/executions/schedules/${cancelledId}`)).status).toBe(200);
    // Due just after the cancelled one: the fan-out worker takes due jobs one at a time in order, so
    // once this one has fired, the cancelled one's turn has passed. And it proves a worker is
    // running: without one, nothing fires and the cancellation would pass unproven.
    const controlId = await schedule(executeAt + 500);
    const control = await waitFor(
      async () => {
        const res = await call('GET', `${apiUrl}/im/executions/schedules/${controlId}`);
        const details = res.body.executionDetails as Record<string, unknown> | undefined;
        return details?.status === 'Succeeded' ? details : undefined;
      },
      { timeoutMs: 15_000, description: 'the schedule left in place to fire' },
    );

    expect((await call('GET', `${apiUrl}/im/executions/schedules/${cancelledId}`)).status).toBe(404);
    expect(await store.schedules.get('prod', cancelledId)).toMatchObject({ status: 'Cancelled' });
    const executions = (await store.executions.listByCampaign('prod', campaignId)).items;
    expect(executions.map((execution) => execution.id)).toEqual([control.executionId]);
  });
});
