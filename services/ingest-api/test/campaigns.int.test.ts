import { orderShippedCampaign } from '@herald/testing';
import { startApiHarness, type ApiHarness } from './api-harness';

describe('campaigns API', () => {
  let h: ApiHarness;
  beforeAll(async () => (h = await startApiHarness('campaigns')));
  afterAll(async () => h.close());

  it('creates a draft campaign at version 1 and reads it back', async () => {
    const created = await h.api.post('/campaigns').send(orderShippedCampaign()).expect(201);
    expect(created.body).toMatchObject({
      status: 'draft',
      latestVersion: 1,
      liveVersion: null,
      sandbox: 'prod',
    });
    expect(created.headers.location).toBe(`/campaigns/${created.body.id}`);
    const read = await h.api.get(`/campaigns/${created.body.id}`).expect(200);
    expect(read.body.definition).toEqual(orderShippedCampaign());
  });

  it('refuses an invalid definition, naming every field at fault, and stores nothing', async () => {
    const before = await h.store.campaigns.list('prod', { limit: 500 });
    const res = await h.api
      .post('/campaigns')
      .send({
        ...orderShippedCampaign(),
        type: 'newsletter',
        channelConfig: { email: { fromAddress: 'not an address', fromName: 'Evil\r\nBcc: x@example.com' } },
        contextSchema: { type: 'object', properties: { n: { type: 'nonsense' } } },
        unknown: true,
      })
      .expect(400);
    expect(res.body.code).toBe('invalid-campaign');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining([
        '/type',
        '/channelConfig/email/fromAddress',
        '/channelConfig/email/fromName',
        '/unknown',
      ]),
    );
    const after = await h.store.campaigns.list('prod', { limit: 500 });
    expect(after.items).toHaveLength(before.items.length);
  });

  it('refuses a context schema that is not a valid JSON Schema', async () => {
    const res = await h.api
      .post('/campaigns')
      .send({
        ...orderShippedCampaign(),
        contextSchema: { type: 'object', properties: { n: { type: 'nonsense' } } },
      })
      .expect(400);
    expect(res.body.errors[0]).toMatchObject({ code: 'invalid-schema' });
    expect(res.body.errors[0].path).toMatch(/^\/contextSchema/);
  });

  it('activates a campaign that passes every check, making its latest version live', async () => {
    const created = await h.api.post('/campaigns').send(orderShippedCampaign()).expect(201);
    const live = await h.api.post(`/campaigns/${created.body.id}/activate`).expect(200);
    expect(live.body).toMatchObject({ status: 'live', liveVersion: 1 });
  });

  it('refuses to activate twice with 409', async () => {
    const created = await h.api.post('/campaigns').send(orderShippedCampaign()).expect(201);
    await h.api.post(`/campaigns/${created.body.id}/activate`).expect(200);
    const res = await h.api.post(`/campaigns/${created.body.id}/activate`).expect(409);
    expect(res.body.code).toBe('illegal-transition');
  });

  it('refuses activation with 422 listing every problem, and the campaign stays a draft', async () => {
    const broken = orderShippedCampaign();
    broken.content.locales.en = { subject: '{{ context.coupon }}', html: '{% if %}' };
    const created = await h.api.post('/campaigns').send(broken).expect(201);
    const res = await h.api.post(`/campaigns/${created.body.id}/activate`).expect(422);
    expect(res.body.code).toBe('campaign-checks-failed');
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/content/locales/en/subject', code: 'undeclared-context-variable' }),
        expect.objectContaining({ path: '/content/locales/en/html', code: 'template-syntax' }),
      ]),
    );
    const read = await h.api.get(`/campaigns/${created.body.id}`).expect(200);
    expect(read.body.status).toBe('draft');
  });

  it('answers 404 for a campaign of another sandbox', async () => {
    const created = await h.api.post('/campaigns').send(orderShippedCampaign()).expect(201);
    const res = await h.api
      .get(`/campaigns/${created.body.id}`)
      .set('x-sandbox-name', 'staging')
      .expect(404);
    expect(res.body.code).toBe('campaign-not-found');
  });

  it('refuses a body that is not JSON', async () => {
    const res = await h.api
      .post('/campaigns')
      .set('content-type', 'text/plain')
      .send('hi')
      .expect(415);
    expect(res.body.code).toBe('unsupported-media-type');
  });

  it('answers readiness with the state of the store and Redis', async () => {
    const res = await h.api.get('/ready').expect(200);
    expect(res.body).toEqual({ status: 'ok', checks: { store: 'ok', redis: 'ok' } });
  });
});
