import { orderShippedCampaign } from '@herald/testing';
import {
  startApiProcesses,
  type ApiProcesses,
  type HttpAnswer,
} from '../../../test/support/herald-processes';
import { twoRecipientCall } from './trigger-setup.fixture';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Creates an `execute` key through API process 0; answers the key. */
async function createExecuteKey(apis: ApiProcesses): Promise<string> {
  const created = await apis.call(0, '/api-keys', {
    body: JSON.stringify({ name: 'shop', roles: ['execute'], sandboxes: ['prod'] }),
  });
  expect(created.status).toBe(201);
  return String(created.body.key);
}

/** Creates and activates the order-shipped campaign through API process 0; answers its id. */
async function createLiveCampaign(apis: ApiProcesses): Promise<string> {
  const created = await apis.call(0, '/campaigns', { body: JSON.stringify(orderShippedCampaign()) });
  expect(created.status).toBe(201);
  const id = String(created.body.id);
  expect((await apis.call(0, `/campaigns/${id}/activate`)).status).toBe(200);
  return id;
}

/** `count` calls to each process, interleaved and all sent before any answer is awaited. */
function burst(count: number, send: (index: 0 | 1, n: number) => Promise<HttpAnswer>) {
  return Promise.all(Array.from({ length: 2 * count }, (_, n) => send(n % 2 === 0 ? 0 : 1, n)));
}

describe('requestId idempotency across two API processes', () => {
  let apis: ApiProcesses;
  let key: string;
  let campaignId: string;

  beforeAll(async () => {
    apis = await startApiProcesses('multi-process-idem');
    key = await createExecuteKey(apis);
    campaignId = await createLiveCampaign(apis);
    // Warm both processes (key, campaign version, connections) so the duplicates race for the claim.
    for (const index of [0, 1] as const) {
      const body = JSON.stringify(twoRecipientCall(campaignId, `warm-${index}`));
      expect((await apis.call(index, '/im/executions/unitary', { key, body })).status).toBe(202);
    }
    await apis.emailQueue.drain(true);
  });
  afterAll(async () => apis?.close());

  const queuedJobIds = async () => (await apis.emailQueue.getJobs()).map((job) => job.id).sort();

  it('queues concurrent duplicates sent to two API processes once, and refuses the requestId with another body', async () => {
    const bytes = JSON.stringify(twoRecipientCall(campaignId, 'race-1'));
    // Twenty to each: enough that a claim made in two steps (read, then write) is caught most runs.
    const answers = await burst(20, (index) =>
      apis.call(index, '/im/executions/unitary', { key, body: bytes }),
    );

    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 202));
    const executionIds = new Set(answers.map((answer) => answer.body.executionId));
    expect(executionIds.size).toBe(1);
    const [executionId] = [...executionIds];
    expect(typeof executionId).toBe('string');
    expect(await queuedJobIds()).toEqual([`${executionId}-r0`, `${executionId}-r1`]);
    const executions = await apis.store.executions.listByCampaign('prod', campaignId);
    expect(executions.items.filter((execution) => execution.requestId === 'race-1')).toHaveLength(1);

    const otherBody = JSON.stringify(twoRecipientCall(campaignId, 'race-1', 99));
    for (const index of [1, 0] as const) {
      const reused = await apis.call(index, '/im/executions/unitary', { key, body: otherBody });
      expect(reused.status).toBe(409);
      expect(reused.body.code).toBe('request-id-reused');
    }
    expect(await queuedJobIds()).toEqual([`${executionId}-r0`, `${executionId}-r1`]);
  });
});

describe('per-API-key rate limit across two API processes', () => {
  const LIMIT = 5;
  /** Calls per process in one burst: with a counter per process, each would accept LIMIT of them. */
  const PER_PROCESS = 8;
  /** Bursts that straddled a window boundary are thrown away and sent again, at most this often. */
  const ATTEMPTS = 5;

  let apis: ApiProcesses;
  let key: string;
  let campaignId: string;

  beforeAll(async () => {
    apis = await startApiProcesses('multi-process-rate', { API_RATE_LIMIT_PER_SECOND: String(LIMIT) });
    key = await createExecuteKey(apis);
    campaignId = await createLiveCampaign(apis);
  });
  afterAll(async () => apis?.close());

  /**
   * The limit counts in fixed one-second windows of the wall clock, which the processes share with
   * the test. A burst sent at the start of a second and fully answered before its end was counted
   * in that one window; a burst that was not may have spread over two, and is sent again.
   */
  async function burstWithinOneWindow(attempt = 1): Promise<HttpAnswer[]> {
    await sleep(1000 - (Date.now() % 1000) + 10);
    const window = Math.floor(Date.now() / 1000);
    const answers = await burst(PER_PROCESS, (index, n) =>
      apis.call(index, '/im/executions/unitary', {
        key,
        body: JSON.stringify(twoRecipientCall(campaignId, `rate-${attempt}-${n}`)),
      }),
    );
    if (Math.floor(Date.now() / 1000) === window) return answers;
    if (attempt === ATTEMPTS) throw new Error(`no burst of calls fit in one second in ${ATTEMPTS} attempts`);
    return burstWithinOneWindow(attempt + 1);
  }

  it('limits calls spread over two API processes within one second by one shared budget per key', async () => {
    const answers = await burstWithinOneWindow();

    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status !== 202 && status !== 429)).toEqual([]);
    expect(statuses.filter((status) => status === 202)).toHaveLength(LIMIT);
    const limited = answers.filter((answer) => answer.status === 429);
    for (const answer of limited) {
      expect(answer.body).toMatchObject({ status: 429, code: 'rate-limited' });
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
  });
});
