import request from 'supertest';
import { startRedisServer, waitFor, type RedisServerHandle } from '@herald/testing';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';

/** Each readiness check gives up after 2 s; the answer must come soon after, never hang. */
const UNAVAILABLE_ANSWER_BOUND_MS = 4000;

describe('GET /im/health', () => {
  let server: RedisServerHandle;
  let h: ApiHarness;

  beforeAll(async () => {
    // A private Redis: this test stops it, and the shared one must never be stopped.
    server = await startRedisServer();
    h = await startApiHarness('im-health', { REDIS_URL: server.url });
    // The harness's own inspection queue loses Redis too; its connection errors are expected here.
    h.emailQueue.on('error', () => undefined);
  });
  afterAll(async () => {
    await h.close();
    await server.stop();
  });

  // No key: load balancers and AJO callers probe it unauthenticated.
  const probe = () => request(h.runtime.app).get('/im/health');

  it('answers 200 with every check ok while the store and Redis answer, without a key', async () => {
    const res = await probe()
      .expect(200)
      .expect('content-type', /application\/json/);
    expect(res.body).toEqual({ status: 'ok', checks: { store: 'ok', redis: 'ok' } });
  });

  it('answers 503 naming Redis unavailable while Redis is down, and 200 again once it is back', async () => {
    const { port } = server;
    await server.stop();
    try {
      const started = Date.now();
      const res = await probe()
        .expect(503)
        .expect('content-type', /application\/json/);
      expect(Date.now() - started).toBeLessThan(UNAVAILABLE_ANSWER_BOUND_MS);
      expect(res.body).toEqual({ status: 'unavailable', checks: { store: 'ok', redis: 'unavailable' } });
    } finally {
      // Back even when an assertion failed: closing the harness needs Redis.
      server = await startRedisServer({ port });
    }
    const recovered = await waitFor(
      async () => {
        const again = await probe();
        return again.status === 200 ? again : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 250, description: '/im/health to answer 200 again' },
    );
    expect(recovered.body).toEqual({ status: 'ok', checks: { store: 'ok', redis: 'ok' } });
  });
});
