import request from 'supertest';
import type { Profile } from '@herald/contracts';
import { audienceExample } from '../src/audiences/audiences.openapi';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';

describe('audiences', () => {
  let h: ApiHarness;
  const executeKey = 'key-audiences-execute-0123456789';
  const profiles: Record<string, Profile> = {};

  beforeAll(async () => {
    h = await startApiHarness('audiences');
    await h.addApiKey(executeKey, { name: 'exec', roles: ['execute'], sandboxes: ['*'] });
    const people = [
      { label: 'ada', email: 'ada@shop.example', tier: 'gold', city: 'Paris', consent: 'y' },
      { label: 'bob', email: 'bob@shop.example', tier: 'silver', city: 'Lyon', consent: 'y' },
      { label: 'cyd', email: 'cyd@shop.example', tier: 'gold', city: 'Lyon', consent: 'n' },
      { label: 'dee', email: 'dee@other.example', tier: 'gold', city: 'Paris', consent: 'y' },
    ] as const;
    for (const p of people) {
      const res = await h.api
        .post('/profiles')
        .send({
          identities: [
            { namespace: 'email', id: p.email },
            { namespace: 'crmId', id: `crm-${p.label}` },
          ],
          attributes: { loyalty: { tier: p.tier }, address: { city: p.city } },
          consents: { marketing: { email: p.consent } },
        })
        .expect(201);
      profiles[p.label] = res.body as Profile;
    }
    // Same identities and attributes in another sandbox: never counted in prod.
    await h.api
      .post('/profiles')
      .set('x-sandbox-name', 'dev')
      .send({
        identities: [{ namespace: 'email', id: 'ada@shop.example' }],
        attributes: { loyalty: { tier: 'gold' } },
      })
      .expect(201);
  });
  afterAll(async () => h.close());

  const goldQuery = { 'attributes.loyalty.tier': 'gold', 'consents.marketing.email': 'y' };

  function idsOf(...labels: string[]): string[] {
    return labels.map((label) => profiles[label]?.id ?? label).sort();
  }

  it('creates a query audience, counts its members and samples them in id order', async () => {
    const created = await h.api
      .post('/audiences')
      .send({
        name: 'Gold with consent',
        description: 'for the spring sale',
        kind: 'query',
        query: goldQuery,
      })
      .expect(201);
    expect(created.headers.location).toBe(`/audiences/${created.body.id}`);
    expect(created.body).toMatchObject({
      sandbox: 'prod',
      name: 'Gold with consent',
      kind: 'query',
      query: goldQuery,
    });

    await h.api.get(`/audiences/${created.body.id}`).expect(200, created.body);
    const count = await h.api.get(`/audiences/${created.body.id}/count`).expect(200);
    expect(count.body).toEqual({ count: 2 });
    const sample = await h.api.get(`/audiences/${created.body.id}/sample`).expect(200);
    expect(sample.body.items.map((p: Profile) => p.id)).toEqual(idsOf('ada', 'dee'));
    expect(sample.body.items[0]).toEqual(profiles.ada);
  });

  it('limits a sample to the limit asked for, and refuses a limit above 100', async () => {
    const { body } = await h.api
      .post('/audiences')
      .send({ name: 'Everyone', kind: 'query', query: {} })
      .expect(201);

    const sample = await h.api.get(`/audiences/${body.id}/sample?limit=3`).expect(200);
    expect(sample.body.items).toHaveLength(3);
    const refused = await h.api.get(`/audiences/${body.id}/sample?limit=101`).expect(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ path: '/limit' })]);
  });

  it('counts a static audience as the distinct profiles its identities resolve to', async () => {
    const created = await h.api
      .post('/audiences')
      .send({
        name: 'Beta testers',
        kind: 'static',
        identities: [
          { namespace: 'email', id: 'cyd@shop.example' },
          { namespace: 'crmId', id: 'crm-ada' },
          { namespace: 'email', id: 'ada@shop.example' },
          { namespace: 'email', id: 'nobody@shop.example' },
          { namespace: 'email', id: 'cyd@shop.example' },
        ],
      })
      .expect(201);
    // The repeat is dropped when stored; ada's two identities make one member; nobody is no one.
    expect(created.body.identities).toHaveLength(4);

    await h.api.get(`/audiences/${created.body.id}/count`).expect(200, { count: 2 });
    const sample = await h.api.get(`/audiences/${created.body.id}/sample`).expect(200);
    expect(sample.body.items.map((p: Profile) => p.id)).toEqual([profiles.cyd?.id, profiles.ada?.id]);
    const one = await h.api.get(`/audiences/${created.body.id}/sample?limit=1`).expect(200);
    expect(one.body.items.map((p: Profile) => p.id)).toEqual([profiles.cyd?.id]);
  });

  it.each([
    ['$where', { $where: 'function () { return true }' }, '/query/$where'],
    ['$expr', { $expr: { $eq: ['$attributes.loyalty.tier', 'gold'] } }, '/query/$expr'],
    [
      '$function',
      { 'attributes.loyalty.tier': { $function: { body: 'return true', args: [], lang: 'js' } } },
      '/query/attributes.loyalty.tier/$function',
    ],
    ['a field outside the profile', { $or: [{ sandbox: 'dev' }] }, '/query/$or/0/sandbox'],
  ])('refuses a query using %s with 400, naming its path', async (_name, query, path) => {
    const res = await h.api.post('/audiences').send({ name: 'Nope', kind: 'query', query }).expect(400);

    expect(res.body).toMatchObject({
      code: 'invalid-audience-query',
      errors: [expect.objectContaining({ path })],
    });
    const { body } = await h.api.get('/audiences?limit=500').expect(200);
    expect(body.items.map((a: { name: string }) => a.name)).not.toContain('Nope');
  });

  it('refuses a $regex that could backtrack catastrophically with 400 unsafe-regex', async () => {
    const query = { 'attributes.loyalty.tier': { $regex: '^(a+)+$' } };
    const res = await h.api.post('/audiences').send({ name: 'Slow', kind: 'query', query }).expect(400);

    expect(res.body).toMatchObject({
      code: 'invalid-audience-query',
      errors: [{ path: '/query/attributes.loyalty.tier/$regex', code: 'unsafe-regex' }],
    });
  });

  it('refuses a query nested deeper than 10 levels or larger than 16 KB', async () => {
    let deep: Record<string, unknown> = { $eq: 1 };
    for (let i = 0; i < 10; i += 1) deep = { $and: [{ 'attributes.x': deep }] };
    const tooDeep = await h.api
      .post('/audiences')
      .send({ name: 'Deep', kind: 'query', query: deep })
      .expect(400);
    expect(tooDeep.body.errors).toEqual([expect.objectContaining({ path: '/query', code: 'too-deep' })]);

    const values = Array.from({ length: 900 }, (_, i) => `value-number-${i}`);
    const large = { 'attributes.x': { $in: values } };
    const tooLarge = await h.api
      .post('/audiences')
      .send({ name: 'Large', kind: 'query', query: large })
      .expect(400);
    expect(tooLarge.body.errors).toEqual([expect.objectContaining({ path: '/query', code: 'too-large' })]);
  });

  it('refuses a body that breaks the schema, naming each field', async () => {
    const noKind = await h.api.post('/audiences').send({ name: 'x', query: {} }).expect(400);
    expect(noKind.body).toMatchObject({ code: 'invalid-audience', errors: [{ path: '/kind' }] });

    const res = await h.api
      .post('/audiences')
      .send({ name: '', kind: 'static', identities: [{ namespace: 'email' }], extra: true })
      .expect(400);
    expect(res.body.code).toBe('invalid-audience');
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(
      ['/extra', '/identities/0/id', '/name'].sort(),
    );

    const tooMany = Array.from({ length: 10_001 }, (_, i) => ({ namespace: 'email', id: `m${i}@x.example` }));
    const big = await h.api
      .post('/audiences')
      .send({ name: 'Big', kind: 'static', identities: tooMany })
      .expect(400);
    expect(big.body.errors).toEqual([expect.objectContaining({ path: '/identities', code: 'maxItems' })]);
  });

  it('accepts the example documented in the OpenAPI document, and runs it', async () => {
    const res = await h.api.post('/audiences').send(audienceExample).expect(201);
    // Gold, in Paris, e-mail consent given, created since 2025: ada and dee.
    const sample = await h.api.get(`/audiences/${res.body.id}/sample`).expect(200);
    expect(sample.body.items.map((p: Profile) => p.id)).toEqual(idsOf('ada', 'dee'));
  });

  it('lists audiences in pages and deletes one once', async () => {
    const sandbox = 'audiences-paging';
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await h.api
        .post('/audiences')
        .set('x-sandbox-name', sandbox)
        .send({ name: `a${i}`, kind: 'query', query: {} })
        .expect(201);
      ids.push(res.body.id);
    }
    const first = await h.api.get('/audiences?limit=2').set('x-sandbox-name', sandbox).expect(200);
    expect(first.body.items.map((a: { id: string }) => a.id)).toEqual(ids.slice(0, 2));
    const second = await h.api
      .get(`/audiences?limit=2&cursor=${first.body.nextCursor}`)
      .set('x-sandbox-name', sandbox)
      .expect(200);
    expect(second.body).toMatchObject({ items: [{ id: ids[2] }], nextCursor: null });

    await h.api.delete(`/audiences/${ids[0]}`).set('x-sandbox-name', sandbox).expect(204);
    const gone = await h.api.delete(`/audiences/${ids[0]}`).set('x-sandbox-name', sandbox).expect(404);
    expect(gone.body.code).toBe('audience-not-found');
    await h.api.get(`/audiences/${ids[0]}/count`).set('x-sandbox-name', sandbox).expect(404);
  });

  it('keeps audiences and their members inside their sandbox', async () => {
    const { body } = await h.api
      .post('/audiences')
      .send({ name: 'Gold', kind: 'query', query: goldQuery })
      .expect(201);

    for (const path of [
      `/audiences/${body.id}`,
      `/audiences/${body.id}/count`,
      `/audiences/${body.id}/sample`,
    ]) {
      const res = await h.api.get(path).set('x-sandbox-name', 'dev').expect(404);
      expect(res.body.code).toBe('audience-not-found');
    }
    await h.api.delete(`/audiences/${body.id}`).set('x-sandbox-name', 'dev').expect(404);
    const listed = await h.api.get('/audiences').set('x-sandbox-name', 'dev').expect(200);
    expect(listed.body.items).toEqual([]);

    // The same query in dev sees only dev's profile.
    const dev = await h.api
      .post('/audiences')
      .set('x-sandbox-name', 'dev')
      .send({ name: 'Gold', kind: 'query', query: { 'attributes.loyalty.tier': 'gold' } })
      .expect(201);
    await h.api.get(`/audiences/${dev.body.id}/count`).set('x-sandbox-name', 'dev').expect(200, { count: 1 });
  });

  it('answers 401 without a key and 403 to a key without the manage role', async () => {
    const { body } = await h.api
      .post('/audiences')
      .send({ name: 'Gold', kind: 'query', query: goldQuery })
      .expect(201);
    const routes: Array<['get' | 'post' | 'delete', string]> = [
      ['post', '/audiences'],
      ['get', '/audiences'],
      ['get', `/audiences/${body.id}`],
      ['delete', `/audiences/${body.id}`],
      ['get', `/audiences/${body.id}/count`],
      ['get', `/audiences/${body.id}/sample`],
    ];
    const app = request(h.runtime.app);
    for (const [method, path] of routes) {
      await app[method](path).expect(401);
      await app[method](path).set('authorization', `Bearer ${executeKey}`).expect(403);
    }
    await h.api.get(`/audiences/${body.id}`).expect(200);
  });
});
