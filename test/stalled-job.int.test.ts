import path from 'node:path';
import { openStore, type Store } from '@herald/store';
import {
  createTempDir,
  orderShippedCampaign,
  startSendGridStandin,
  waitFor,
  type SendGridStandin,
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

/** BullMQ gives up on a job after it stalled more than this many times (delivery-workers.ts). */
const MAX_STALLED = 3;

describe('a job whose workers keep dying while they send it', () => {
  let dir: TempDir;
  let standin: SendGridStandin;
  let store: Store;
  const processes: ServiceProcess[] = [];

  beforeAll(async () => {
    dir = createTempDir('stalled');
    standin = await startSendGridStandin();
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGKILL')));
    await store?.close();
    await standin?.close();
    dir.remove();
  });

  it('ends in the dead letter recorded as failed with reason stalled, not lost and not retried forever', async () => {
    const env = await heraldEnv('stalled', dir.path, {
      WORKER_QUEUES: 'email',
      WORKER_LOCK_DURATION_MS: '1000',
      EMAIL_PROVIDER: 'sendgrid',
      SENDGRID_API_KEY: standin.apiKey,
      SENDGRID_API_URL: standin.url,
    });
    processes.push(await startApiProcess(env));
    store = await openStore({ url: path.join(dir.path, 'herald.sqlite') });
    const apiUrl = `http://127.0.0.1:${env.API_PORT}`;
    const campaignId = await createLiveCampaign(apiUrl, orderShippedCampaign());
    // The provider never answers in time: every worker that takes the job is still sending when killed.
    standin.behave({ latencyMs: 60_000 });
    const accepted = await postJson(`${apiUrl}/im/executions/unitary`, {
      requestId: 'stalled-1',
      campaignId,
      recipients: [
        {
          type: 'external',
          namespace: 'crmId',
          userId: 's-1',
          channelData: { emailAddress: 's-1@example.com' },
          context: { orderId: 'S-1', total: 1 },
        },
      ],
    });
    expect(accepted.status).toBe(202);
    const deliveryId = `${String(accepted.body.executionId)}-r0`;

    for (let kill = 1; kill <= MAX_STALLED + 1; kill += 1) {
      const worker = await startWorkerProcess(env);
      await waitFor(() => standin.requestCount >= kill, {
        timeoutMs: 15_000,
        description: `send attempt ${kill} in flight`,
      });
      await worker.stop('SIGKILL');
    }
    // A live worker notices the last stall and moves the job to the failed set, recording why.
    const survivor = await startWorkerProcess(env);
    processes.push(survivor);
    const record = await waitFor(
      async () => {
        const delivery = await store.deliveries.get('prod', deliveryId);
        return delivery?.status === 'failed' ? delivery : undefined;
      },
      { timeoutMs: 20_000, description: 'the stalled delivery recorded as failed' },
    );
    expect(record).toMatchObject({ status: 'failed', reason: 'stalled' });
    expect(standin.requestCount).toBe(MAX_STALLED + 1);
  }, 90_000);
});
