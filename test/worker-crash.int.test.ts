import { readdirSync } from 'node:fs';
import path from 'node:path';
import { openStore, type Store } from '@herald/store';
import {
  createTempDir,
  orderShippedCampaign,
  waitFor,
  type ServiceProcess,
  type TempDir,
} from '@herald/testing';
import {
  createLiveCampaign,
  heraldEnv,
  postJson,
  startApiProcess,
  startWorkerProcess,
} from './support/herald-processes';

const CALLS = 25;
const RECIPIENTS_PER_CALL = 20;
const TOTAL = CALLS * RECIPIENTS_PER_CALL;

describe('a worker killed with SIGKILL while jobs are queued', () => {
  let dir: TempDir;
  let api: ServiceProcess | undefined;
  let worker: ServiceProcess | undefined;
  let store: Store;

  beforeAll(() => {
    dir = createTempDir('crash');
  });
  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    await store?.close();
    dir.remove();
  });

  const outboxCount = (): number => {
    try {
      return readdirSync(path.join(dir.path, 'outbox', 'email')).filter((name) => name.endsWith('.eml'))
        .length;
    } catch {
      return 0;
    }
  };

  it('loses no job: a restarted worker delivers every one exactly once in the store', async () => {
    // A short lock lets the restarted worker take over the killed worker's in-flight jobs quickly.
    const env = await heraldEnv('crash', dir.path, { WORKER_LOCK_DURATION_MS: '2000' });
    api = await startApiProcess(env);
    const apiUrl = `http://127.0.0.1:${env.API_PORT}`;
    store = await openStore({ url: path.join(dir.path, 'herald.sqlite') });
    const campaignId = await createLiveCampaign(apiUrl, orderShippedCampaign());

    const executionIds: string[] = [];
    for (let call = 0; call < CALLS; call += 1) {
      const accepted = await postJson(`${apiUrl}/im/executions/unitary`, {
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

    worker = await startWorkerProcess({ ...env, WORKER_CONCURRENCY: '1' });
    await waitFor(() => outboxCount() >= 10, { timeoutMs: 20_000, description: 'first deliveries' });
    worker.child.kill('SIGKILL');
    await worker.exited;
    const deliveredBeforeCrash = outboxCount();
    // The kill must land while work remains, or this test proves nothing.
    expect(deliveredBeforeCrash).toBeLessThan(TOTAL);

    worker = await startWorkerProcess({ ...env, WORKER_CONCURRENCY: '10' });
    const countSent = async (): Promise<number> => {
      let sent = 0;
      for (const executionId of executionIds) {
        const page = await store.deliveries.listByExecution('prod', executionId, { limit: 100 });
        sent += page.items.filter((delivery) => delivery.status === 'sent').length;
      }
      return sent;
    };
    await waitFor(async () => (await countSent()) === TOTAL, {
      timeoutMs: 45_000,
      intervalMs: 250,
      description: `${TOTAL} sent deliveries`,
    });
    // One file per delivery id: a job retried after the crash replaced its file, it did not add one.
    expect(outboxCount()).toBe(TOTAL);
  });
});
