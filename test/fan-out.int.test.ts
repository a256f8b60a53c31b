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
    expect(jobs[0]?.data.recipient).toMatchObject({
      type: 'aep',
      namespace: 'email',
      context: { promoCode: 'SPRING' },
    });
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

  it('never fires a schedule cancelled before executeAt', async () => {
    const audienceId = await audience({
      name: 'One',
      kind: 'static',
      identities: [{ namespace: 'email', id: 'p0@example.com' }],
    });
    const campaignId = await system.createLiveCampaign(springSale(audienceId));
    const executeAt = Date.now() + 1500;
    const scheduled = await postJson(`${apiUrl}/im/executions/audience`, {
      campaignId,
      schedule: { executeAt: new Date(executeAt).toISOString() },
    });
    const scheduleId = String(scheduled.body.scheduleId);

    expect((await call('DELETE', `${apiUrl}/im/executions/schedules/${scheduleId}`)).status).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, executeAt - Date.now() + 2000));

    expect((await call('GET', `${apiUrl}/im/executions/schedules/${scheduleId}`)).status).toBe(404);
    expect(await store.schedules.get('prod', scheduleId)).toMatchObject({ status: 'Cancelled' });
    expect((await store.executions.listByCampaign('prod', campaignId)).items).toEqual([]);
  });
});
