import { pushSubscriptionKeys as pushKeys } from '@herald/testing';
import request from 'supertest';
import type { Identity } from '@herald/contracts';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';

interface FieldErrorBody {
  path: string;
  code: string;
}

function email(id: string): Identity {
  return { namespace: 'email', id };
}

describe('profiles API', () => {
  let h: ApiHarness;
  beforeAll(async () => (h = await startApiHarness('profiles')));
  afterAll(async () => h.close());

  it('creates a profile and reads it back by id and by any of its identities', async () => {
    const created = await h.api
      .post('/profiles')
      .send({
        identities: [email('ada@example.com'), { namespace: 'crmId', id: 'C-1' }],
        attributes: { person: { name: { firstName: 'Ada' } } },
        preferredLanguage: 'fr-FR',
        timezone: 'europe/paris',
        consents: { marketing: { email: 'y', sms: 'n' } },
        pushSubscriptions: [{ endpoint: 'https://push.example.com/sub/1', keys: pushKeys(), appId: 'web' }],
      })
      .expect(201);
    expect(created.headers.location).toBe(`/profiles/${created.body.id}`);
    expect(created.body).toMatchObject({
      sandbox: 'prod',
      timezone: 'Europe/Paris',
      attributes: { person: { name: { firstName: 'Ada' } } },
      consents: { marketing: { email: 'y', sms: 'n' } },
    });
    const byId = await h.api.get(`/profiles/${created.body.id}`).expect(200);
    expect(byId.body).toEqual(created.body);
    const byCrm = await h.api.get('/profiles').query({ namespace: 'crmId', identity: 'C-1' }).expect(200);
    expect(byCrm.body).toEqual({ items: [created.body], nextCursor: null });
    const unknown = await h.api.get('/profiles').query({ namespace: 'crmId', identity: 'C-404' }).expect(200);
    expect(unknown.body).toEqual({ items: [], nextCursor: null });
  });

  it('answers 404 profile-not-found for an unknown id', async () => {
    const res = await h.api.get('/profiles/no-such-profile').expect(404);
    expect(res.body.code).toBe('profile-not-found');
  });

  it('refuses a lookup naming an identity without its namespace', async () => {
    const res = await h.api.get('/profiles').query({ identity: 'x' }).expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: '/namespace', code: 'required' })]);
  });

  it('lists profiles in pages', async () => {
    const sandbox = 'paging';
    for (const n of [1, 2, 3]) {
      await h.api
        .post('/profiles')
        .set('x-sandbox-name', sandbox)
        .send({ identities: [email(`p${n}@example.com`)] })
        .expect(201);
    }
    const first = await h.api.get('/profiles?limit=2').set('x-sandbox-name', sandbox).expect(200);
    expect(first.body.items).toHaveLength(2);
    const second = await h.api
      .get('/profiles')
      .query({ limit: '2', cursor: first.body.nextCursor })
      .set('x-sandbox-name', sandbox)
      .expect(200);
    expect(second.body).toMatchObject({ nextCursor: null });
    expect(second.body.items.map((p: { identities: unknown }) => p.identities)).toEqual([
      [email('p3@example.com')],
    ]);
    const bad = await h.api.get('/profiles?limit=0&color=red').set('x-sandbox-name', sandbox).expect(400);
    expect(bad.body.errors.map((e: FieldErrorBody) => e.path).sort()).toEqual(['/color', '/limit']);
  });

  it('refuses to create a profile whose identity is taken, and changes nothing', async () => {
    const first = await h.api
      .post('/profiles')
      .send({ identities: [email('taken@example.com')], attributes: { v: 1 } })
      .expect(201);
    const res = await h.api
      .post('/profiles')
      .send({ identities: [{ namespace: 'crmId', id: 'C-taken' }, email('taken@example.com')] })
      .expect(409);
    expect(res.body.code).toBe('identity-conflict');
    expect(res.body.errors).toEqual([expect.objectContaining({ path: '/identities/1' })]);
    expect(await h.store.profiles.get('prod', first.body.id)).toEqual(first.body);
    expect(await h.store.profiles.findByIdentity('prod', { namespace: 'crmId', id: 'C-taken' })).toBeNull();
  });

  it('upserts into the profile holding the identity, merging attributes and adding identities', async () => {
    const created = await h.api
      .post('/profiles/upsert')
      .send({ identities: [email('merge@example.com')], attributes: { a: 1, b: { x: 1 } } })
      .expect(200);
    expect(created.body.created).toBe(true);
    const merged = await h.api
      .post('/profiles/upsert')
      .send({
        identities: [email('merge@example.com'), { namespace: 'crmId', id: 'C-merge' }],
        attributes: { b: { y: 2 }, c: 3 },
        preferredLanguage: 'de',
      })
      .expect(200);
    expect(merged.body.created).toBe(false);
    expect(merged.body.profile).toMatchObject({
      id: created.body.profile.id,
      identities: [email('merge@example.com'), { namespace: 'crmid', id: 'C-merge' }],
      attributes: { a: 1, b: { y: 2 }, c: 3 },
      preferredLanguage: 'de',
    });
  });

  it('refuses an upsert whose identities belong to two profiles, leaving both unchanged', async () => {
    const one = await h.api
      .post('/profiles')
      .send({ identities: [email('one@example.com')], attributes: { n: 1 } })
      .expect(201);
    const two = await h.api
      .post('/profiles')
      .send({ identities: [{ namespace: 'crmId', id: 'C-two' }], attributes: { n: 2 } })
      .expect(201);
    const res = await h.api
      .post('/profiles/upsert')
      .send({
        identities: [email('one@example.com'), { namespace: 'crmId', id: 'C-two' }],
        attributes: { n: 3 },
      })
      .expect(409);
    expect(res.body.code).toBe('identity-conflict');
    expect(await h.store.profiles.get('prod', one.body.id)).toEqual(one.body);
    expect(await h.store.profiles.get('prod', two.body.id)).toEqual(two.body);
  });

  it('bulk-upserts 1,000 profiles, answering created, updated or conflict per item', async () => {
    const sandbox = 'bulk';
    const existing = await h.api
      .post('/profiles')
      .set('x-sandbox-name', sandbox)
      .send({ identities: [email('existing@example.com')], attributes: { tier: 'silver' } })
      .expect(201);
    await h.api
      .post('/profiles')
      .set('x-sandbox-name', sandbox)
      .send({ identities: [{ namespace: 'crmId', id: 'C-other' }] })
      .expect(201);
    const profiles: Array<{ identities: Identity[]; attributes: Record<string, unknown> }> = Array.from(
      { length: 1000 },
      (_, i) => ({ identities: [email(`bulk-${i}@example.com`)], attributes: { i } }),
    );
    profiles[10] = {
      identities: [email('existing@example.com')],
      attributes: { i: 10, tier: 'gold' },
    };
    profiles[20] = {
      identities: [email('existing@example.com'), { namespace: 'crmId', id: 'C-other' }],
      attributes: { i: 20 },
    };
    const res = await h.api
      .post('/profiles/bulk')
      .set('x-sandbox-name', sandbox)
      .send({ profiles })
      .expect(200);
    expect(res.body.summary).toEqual({ created: 998, updated: 1, conflict: 1 });
    expect(res.body.results).toHaveLength(1000);
    expect(res.body.results[0]).toEqual({ index: 0, status: 'created', profileId: expect.any(String) });
    expect(res.body.results[10]).toEqual({ index: 10, status: 'updated', profileId: existing.body.id });
    expect(res.body.results[20]).toMatchObject({
      index: 20,
      status: 'conflict',
      error: { code: 'identity-conflict' },
    });
    expect(res.body.results[20].error.errors[0].path).toMatch(/^\/profiles\/20\/identities\/\d$/);
    expect(res.body.results[21]).toMatchObject({ index: 21, status: 'created' });
    const updated = await h.store.profiles.get(sandbox, existing.body.id);
    expect(updated?.attributes).toEqual({ i: 10, tier: 'gold' });
    const last = await h.store.profiles.findByIdentity(sandbox, email('bulk-999@example.com'));
    expect(last?.attributes).toEqual({ i: 999 });
  });

  it('refuses a bulk call with invalid items, listing every one, and stores nothing', async () => {
    const sandbox = 'bulk-invalid';
    const res = await h.api
      .post('/profiles/bulk')
      .set('x-sandbox-name', sandbox)
      .send({
        profiles: [
          { identities: [email('ok-0@example.com')] },
          { identities: [{ namespace: 'bad namespace!', id: 'x' }] },
          { identities: [email('ok-2@example.com')] },
          { identities: [email('ok-3@example.com')], timezone: 'Mars/Olympus' },
          {
            identities: [email('ok-4@example.com')],
            pushSubscriptions: [{ endpoint: 'http://push.example.com/x', keys: pushKeys() }],
          },
        ],
      })
      .expect(400);
    expect(res.body.code).toBe('invalid-profiles');
    expect(res.body.errors.map((e: FieldErrorBody) => [e.path, e.code])).toEqual(
      expect.arrayContaining([
        ['/profiles/1/identities/0/namespace', 'pattern'],
        ['/profiles/3/timezone', 'invalid-timezone'],
        ['/profiles/4/pushSubscriptions/0/endpoint', 'https-required'],
      ]),
    );
    expect(res.body.errors).toHaveLength(3);
    expect((await h.store.profiles.list(sandbox)).items).toEqual([]);
  });

  it('refuses a bulk call of 1,001 profiles', async () => {
    const profiles = Array.from({ length: 1001 }, (_, i) => ({ identities: [email(`too-many-${i}@x.io`)] }));
    const res = await h.api
      .post('/profiles/bulk')
      .set('x-sandbox-name', 'bulk-large')
      .send({ profiles })
      .expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: '/profiles', code: 'maxItems' })]);
    expect((await h.store.profiles.list('bulk-large')).items).toEqual([]);
  });

  describe('push subscriptions', () => {
    const refusals: Array<[string, Record<string, unknown>, string, string]> = [
      ['an http endpoint', { endpoint: 'http://push.example.com/a' }, '/endpoint', 'https-required'],
      ['localhost', { endpoint: 'https://localhost/a' }, '/endpoint', 'private-address'],
      ['a loopback IP', { endpoint: 'https://127.0.0.1/a' }, '/endpoint', 'private-address'],
      ['an obfuscated loopback IP', { endpoint: 'https://0x7f.1/a' }, '/endpoint', 'private-address'],
      ['a 10/8 IP', { endpoint: 'https://10.1.2.3/a' }, '/endpoint', 'private-address'],
      ['a 172.16/12 IP', { endpoint: 'https://172.31.0.1/a' }, '/endpoint', 'private-address'],
      ['a 192.168/16 IP', { endpoint: 'https://192.168.1.1/a' }, '/endpoint', 'private-address'],
      ['a link-local IP', { endpoint: 'https://169.254.169.254/latest' }, '/endpoint', 'private-address'],
      ['IPv6 loopback', { endpoint: 'https://[::1]/a' }, '/endpoint', 'private-address'],
      ['an IPv6 ULA', { endpoint: 'https://[fd00::1]/a' }, '/endpoint', 'private-address'],
      [
        'an IPv4-mapped loopback',
        { endpoint: 'https://[::ffff:127.0.0.1]/a' },
        '/endpoint',
        'private-address',
      ],
      [
        'a p256dh that is not on the curve',
        { keys: { p256dh: `BA${'A'.repeat(85)}`, auth: pushKeys().auth } },
        '/keys/p256dh',
        'invalid-key',
      ],
      [
        'a p256dh not starting 0x04',
        { keys: { p256dh: `A${pushKeys().p256dh.slice(1)}`, auth: pushKeys().auth } },
        '/keys/p256dh',
        'invalid-key',
      ],
      [
        'a p256dh of the wrong length',
        { keys: { p256dh: pushKeys().p256dh.slice(1), auth: pushKeys().auth } },
        '/keys/p256dh',
        'pattern',
      ],
      [
        'an auth secret with stray bits',
        { keys: { p256dh: pushKeys().p256dh, auth: `${'A'.repeat(21)}B` } },
        '/keys/auth',
        'invalid-key',
      ],
    ];

    it.each(refusals)('refuses %s', async (_name, override, field, code) => {
      const subscription = { endpoint: 'https://push.example.com/ok', keys: pushKeys(), ...override };
      const res = await h.api
        .post('/profiles')
        .send({ identities: [email('push-refused@example.com')], pushSubscriptions: [subscription] })
        .expect(400);
      expect(res.body.errors).toEqual([
        expect.objectContaining({ path: `/pushSubscriptions/0${field}`, code }),
      ]);
    });

    it('refuses two subscriptions with the same endpoint', async () => {
      const subscription = { endpoint: 'https://push.example.com/same', keys: pushKeys() };
      const res = await h.api
        .post('/profiles')
        .send({
          identities: [email('push-dup@example.com')],
          pushSubscriptions: [subscription, subscription],
        })
        .expect(400);
      expect(res.body.errors).toEqual([
        expect.objectContaining({ path: '/pushSubscriptions/1/endpoint', code: 'duplicate-endpoint' }),
      ]);
    });
  });

  describe('push tokens', () => {
    const iphone = { appId: 'com.example.shop', platform: 'apns', token: 'a3f1'.repeat(16) };
    const android = { appId: '1:1042:android:7b1e', platform: 'fcm', token: 'fGcmT0ken:APA91bH' };

    it('stores device tokens per app and platform through create, upsert and bulk upsert', async () => {
      const created = await h.api
        .post('/profiles')
        .send({ identities: [email('tokens@example.com')], pushTokens: [iphone] })
        .expect(201);
      expect(created.body.pushTokens).toEqual([iphone]);
      const upserted = await h.api
        .post('/profiles/upsert')
        .send({ identities: [email('tokens@example.com')], pushTokens: [iphone, android] })
        .expect(200);
      expect(upserted.body.profile.pushTokens).toEqual([iphone, android]);
      await h.api
        .post('/profiles/bulk')
        .send({ profiles: [{ identities: [email('tokens@example.com')], pushTokens: [android] }] })
        .expect(200);
      const stored = await h.api.get(`/profiles/${created.body.id}`).expect(200);
      expect(stored.body.pushTokens).toEqual([android]);
    });

    it('refuses tokens whose format does not fit their platform, naming each', async () => {
      const res = await h.api
        .post('/profiles')
        .send({
          identities: [email('bad-tokens@example.com')],
          pushTokens: [
            { ...iphone, token: 'not-hex' },
            { ...android, token: 'x'.repeat(4097) },
            { ...android, platform: 'web' },
          ],
        })
        .expect(400);
      const paths = (res.body.errors as FieldErrorBody[]).map((error) => error.path);
      expect(paths).toEqual(
        expect.arrayContaining(['/pushTokens/0/token', '/pushTokens/1/token', '/pushTokens/2/platform']),
      );
    });
  });

  describe('attributes', () => {
    it('refuses attributes larger than 64 KB with attributes-too-large', async () => {
      const res = await h.api
        .post('/profiles')
        .send({ identities: [email('big@example.com')], attributes: { blob: 'x'.repeat(65 * 1024) } })
        .expect(400);
      expect(res.body.code).toBe('attributes-too-large');
      expect(await h.store.profiles.findByIdentity('prod', email('big@example.com'))).toBeNull();
    });

    it('refuses keys that start with $ or contain a dot, at any depth', async () => {
      const res = await h.api
        .post('/profiles')
        .send({
          identities: [email('keys@example.com')],
          attributes: { $where: 1, ok: { 'a.b': 2, list: [{ $gt: 3 }] } },
        })
        .expect(400);
      expect(res.body.code).toBe('invalid-profile');
      expect(res.body.errors.map((e: FieldErrorBody) => e.path).sort()).toEqual([
        '/attributes/$where',
        '/attributes/ok/a.b',
        '/attributes/ok/list/0/$gt',
      ]);
    });

    it('refuses attributes nested deeper than 32 levels', async () => {
      let deep: Record<string, unknown> = { leaf: true };
      for (let i = 0; i < 40; i += 1) deep = { d: deep };
      const res = await h.api
        .post('/profiles')
        .send({ identities: [email('deep@example.com')], attributes: deep })
        .expect(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ code: 'maxDepth' })]);
    });
  });

  it('refuses unknown fields, bad locales, unknown time zones and bad consent values at once', async () => {
    const res = await h.api
      .post('/profiles')
      .send({
        identities: [email('fields@example.com')],
        preferredLanguage: 'not a locale',
        timezone: 'Nowhere/Town',
        consents: { marketing: { email: 'yes' } },
        nickname: 'x',
      })
      .expect(400);
    expect(res.body.errors.map((e: FieldErrorBody) => e.path).sort()).toEqual([
      '/consents/marketing/email',
      '/nickname',
      '/preferredLanguage',
      '/timezone',
    ]);
  });

  it('deletes a profile, freeing its identities', async () => {
    const created = await h.api
      .post('/profiles')
      .send({ identities: [email('gone@example.com')] })
      .expect(201);
    await h.api.delete(`/profiles/${created.body.id}`).expect(204);
    await h.api.get(`/profiles/${created.body.id}`).expect(404);
    const again = await h.api.delete(`/profiles/${created.body.id}`).expect(404);
    expect(again.body.code).toBe('profile-not-found');
    await h.api
      .post('/profiles')
      .send({ identities: [email('gone@example.com')] })
      .expect(201);
  });

  it('keeps each sandbox its own profiles', async () => {
    const inA = await h.api
      .post('/profiles')
      .set('x-sandbox-name', 'a')
      .send({ identities: [email('both@example.com')], attributes: { sandbox: 'a' } })
      .expect(201);
    await h.api.get(`/profiles/${inA.body.id}`).set('x-sandbox-name', 'b').expect(404);
    await h.api.delete(`/profiles/${inA.body.id}`).set('x-sandbox-name', 'b').expect(404);
    const lookup = await h.api
      .get('/profiles')
      .query({ namespace: 'email', identity: 'both@example.com' })
      .set('x-sandbox-name', 'b')
      .expect(200);
    expect(lookup.body.items).toEqual([]);
    const inB = await h.api
      .post('/profiles')
      .set('x-sandbox-name', 'b')
      .send({ identities: [email('both@example.com')], attributes: { sandbox: 'b' } })
      .expect(201);
    expect(inB.body.id).not.toBe(inA.body.id);
    const listB = await h.api.get('/profiles').set('x-sandbox-name', 'b').expect(200);
    expect(listB.body.items.map((p: { id: string }) => p.id)).toEqual([inB.body.id]);
    expect((await h.store.profiles.get('a', inA.body.id))?.attributes).toEqual({ sandbox: 'a' });
  });

  describe('access', () => {
    it('refuses a key without the manage role with 403', async () => {
      const key = 'profiles-execute-only-key-0123456789';
      await h.addApiKey(key, { name: 'executor', roles: ['execute'], sandboxes: ['*'] });
      const anonymous = request(h.runtime.app);
      for (const call of [
        anonymous.get('/profiles'),
        anonymous.post('/profiles').send({ identities: [email('x@example.com')] }),
        anonymous.post('/profiles/upsert').send({ identities: [email('x@example.com')] }),
        anonymous.post('/profiles/bulk').send({ profiles: [{ identities: [email('x@example.com')] }] }),
        anonymous.get('/profiles/some-id'),
        anonymous.delete('/profiles/some-id'),
      ]) {
        const res = await call.set('authorization', `Bearer ${key}`).expect(403);
        expect(res.body.code).toBe('forbidden');
      }
      expect(await h.store.profiles.findByIdentity('prod', email('x@example.com'))).toBeNull();
    });

    it('refuses a manage key outside its sandboxes with 403', async () => {
      const key = 'profiles-manage-sandbox-a-key-0123456789';
      await h.addApiKey(key, { name: 'a only', roles: ['manage'], sandboxes: ['a'] });
      await request(h.runtime.app)
        .get('/profiles')
        .set('x-api-key', key)
        .set('x-sandbox-name', 'a')
        .expect(200);
      await request(h.runtime.app)
        .get('/profiles')
        .set('x-api-key', key)
        .set('x-sandbox-name', 'b')
        .expect(403);
    });

    it('refuses a call without a key with 401', async () => {
      const res = await request(h.runtime.app)
        .post('/profiles')
        .send({ identities: [email('nokey@example.com')] })
        .expect(401);
      expect(res.body.code).toBe('unauthorized');
      await request(h.runtime.app).get('/profiles/some-id').expect(401);
    });
  });
});

describe('push endpoints with ALLOW_PRIVATE_URLS', () => {
  let h: ApiHarness;
  beforeAll(async () => (h = await startApiHarness('profiles-private', { ALLOW_PRIVATE_URLS: 'true' })));
  afterAll(async () => h.close());

  it('accepts a loopback http endpoint when the setting allows private URLs (tests, local development)', async () => {
    await h.api
      .post('/profiles')
      .send({
        identities: [email('local-push@example.com')],
        pushSubscriptions: [{ endpoint: 'http://127.0.0.1:9999/push', keys: pushKeys() }],
      })
      .expect(201);
  });
});
