import { startApiHarness, type ApiHarness } from './api-harness';

describe('request correlation', () => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await startApiHarness('correlation');
  });
  afterAll(async () => h.close());

  it("echoes the caller's x-request-id on the answer, errors included", async () => {
    const ok = await h.api.get('/campaigns').set('x-request-id', 'caller-req-42').expect(200);
    expect(ok.headers['x-request-id']).toBe('caller-req-42');
    const missing = await h.api.get('/campaigns/none').set('x-request-id', 'caller-req-43').expect(404);
    expect(missing.headers['x-request-id']).toBe('caller-req-43');
  });

  it('gives a request without one, or with a malformed one, an id of its own', async () => {
    const none = await h.api.get('/campaigns').expect(200);
    expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const tooLong = await h.api.get('/campaigns').set('x-request-id', 'x'.repeat(200)).expect(200);
    expect(tooLong.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
