import request from 'supertest';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';

interface FieldErrorBody {
  path: string;
  code: string;
}

function at(channel: string, address: string): string {
  return `/suppressions/${channel}/${encodeURIComponent(address)}`;
}

describe('suppressions API', () => {
  let h: ApiHarness;
  beforeAll(async () => (h = await startApiHarness('suppressions')));
  afterAll(async () => h.close());

  it('adds an address, checks it, lists it and removes it', async () => {
    const added = await h.api
      .post('/suppressions')
      .send({ channel: 'sms', address: '+33612345678', reason: 'manual' })
      .expect(201);
    expect(added.headers.location).toBe(at('sms', '+33612345678'));
    expect(added.body).toEqual({
      sandbox: 'prod',
      channel: 'sms',
      address: '+33612345678',
      reason: 'manual',
      source: 'api',
      createdAt: expect.any(String),
    });
    const checked = await h.api.get(at('sms', '+33612345678')).expect(200);
    expect(checked.body).toEqual(added.body);
    const listed = await h.api.get('/suppressions?channel=sms').expect(200);
    expect(listed.body).toEqual({ items: [added.body], nextCursor: null });
    await h.api.delete(at('sms', '+33612345678')).expect(204);
    const gone = await h.api.get(at('sms', '+33612345678')).expect(404);
    expect(gone.body.code).toBe('not-suppressed');
    await h.api.delete(at('sms', '+33612345678')).expect(404);
    expect(await h.store.suppressions.find('prod', 'sms', '+33612345678')).toBeNull();
  });

  it('matches e-mail addresses case-insensitively', async () => {
    const added = await h.api
      .post('/suppressions')
      .send({
        channel: 'email',
        address: 'Ada.Lovelace@Example.COM',
        reason: 'hard-bounce',
        source: 'sendgrid',
      })
      .expect(201);
    expect(added.body).toMatchObject({ address: 'ada.lovelace@example.com', source: 'sendgrid' });
    await h.api.get(at('email', 'ADA.LOVELACE@example.com')).expect(200);
    await h.api.delete(at('email', 'ada.lovelace@EXAMPLE.com')).expect(204);
    expect(await h.store.suppressions.find('prod', 'email', 'ada.lovelace@example.com')).toBeNull();
  });

  it('adds idempotently, keeping the first reason and date', async () => {
    const first = await h.api
      .post('/suppressions')
      .send({ channel: 'email', address: 'twice@example.com', reason: 'hard-bounce' })
      .expect(201);
    const second = await h.api
      .post('/suppressions')
      .send({ channel: 'email', address: 'TWICE@example.com', reason: 'manual', source: 'support' })
      .expect(200);
    expect(second.body).toEqual(first.body);
    expect(second.headers.location).toBeUndefined();
  });

  it('replaces a spam complaint, which spares transactional mail, by a reason that stops it', async () => {
    await h.api
      .post('/suppressions')
      .send({ channel: 'email', address: 'complained@example.com', reason: 'spam-complaint' })
      .expect(201);
    const manual = await h.api
      .post('/suppressions')
      .send({ channel: 'email', address: 'complained@example.com', reason: 'manual', source: 'support' })
      .expect(200);
    expect(manual.body).toMatchObject({ reason: 'manual', source: 'support' });
    const again = await h.api
      .post('/suppressions')
      .send({ channel: 'email', address: 'complained@example.com', reason: 'spam-complaint' })
      .expect(200);
    expect(again.body).toEqual(manual.body);
  });

  it('suppresses a push endpoint given URL-encoded in the path', async () => {
    const endpoint = 'https://fcm.googleapis.com/fcm/send/abc:APA91b?x=1&y=2';
    await h.api
      .post('/suppressions')
      .send({ channel: 'push', address: endpoint, reason: 'manual' })
      .expect(201);
    const checked = await h.api.get(at('push', endpoint)).expect(200);
    expect(checked.body.address).toBe(endpoint);
  });

  it.each([
    ['an e-mail address without @', 'email', 'not-an-address', 'format'],
    ['an e-mail address over 254 characters', 'email', `${'a'.repeat(250)}@example.com`, 'maxLength'],
    ['a national phone number', 'sms', '0612345678', 'pattern'],
    ['a phone number with a leading zero', 'sms', '+0612345678', 'pattern'],
    ['a phone number with spaces', 'sms', '+33 6 12 34 56 78', 'pattern'],
    ['an http push endpoint', 'push', 'http://push.example.com/x', 'pattern'],
    ['a push endpoint that is not a URL', 'push', 'not a url', 'format'],
  ])('refuses %s', async (_name, channel, address, code) => {
    const res = await h.api.post('/suppressions').send({ channel, address, reason: 'manual' }).expect(400);
    expect(res.body.code).toBe('invalid-suppression');
    expect(res.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: '/address', code })]),
    );
    expect(res.body.errors.every((e: FieldErrorBody) => e.path === '/address')).toBe(true);
  });

  it('refuses an unknown channel, reason, source shape or field, naming each', async () => {
    const res = await h.api
      .post('/suppressions')
      .send({ channel: 'fax', address: 'x', reason: 'angry', source: 'has spaces', note: 'x' })
      .expect(400);
    expect(res.body.errors.map((e: FieldErrorBody) => e.path).sort()).toEqual([
      '/channel',
      '/note',
      '/reason',
      '/source',
    ]);
  });

  it('requires the channel to list, and a known channel in paths', async () => {
    const noChannel = await h.api.get('/suppressions').expect(400);
    expect(noChannel.body.errors).toEqual([expect.objectContaining({ path: '/channel', code: 'required' })]);
    const badChannel = await h.api.get(at('fax', '+33612345678')).expect(400);
    expect(badChannel.body.code).toBe('invalid-channel');
  });

  it('lists a channel in pages sorted by address', async () => {
    const sandbox = 'paging';
    for (const address of ['c@example.com', 'a@example.com', 'b@example.com']) {
      await h.api
        .post('/suppressions')
        .set('x-sandbox-name', sandbox)
        .send({ channel: 'email', address, reason: 'manual' })
        .expect(201);
    }
    await h.api
      .post('/suppressions')
      .set('x-sandbox-name', sandbox)
      .send({ channel: 'sms', address: '+33600000000', reason: 'manual' })
      .expect(201);
    const first = await h.api
      .get('/suppressions?channel=email&limit=2')
      .set('x-sandbox-name', sandbox)
      .expect(200);
    expect(first.body.items.map((e: { address: string }) => e.address)).toEqual([
      'a@example.com',
      'b@example.com',
    ]);
    const second = await h.api
      .get('/suppressions')
      .query({ channel: 'email', limit: '2', cursor: first.body.nextCursor })
      .set('x-sandbox-name', sandbox)
      .expect(200);
    expect(second.body).toMatchObject({ items: [{ address: 'c@example.com' }], nextCursor: null });
    const badCursor = await h.api
      .get('/suppressions?channel=email&cursor=nonsense')
      .set('x-sandbox-name', sandbox)
      .expect(400);
    expect(badCursor.body.code).toBe('invalid-cursor');
  });

  it('keeps each sandbox its own list', async () => {
    await h.api
      .post('/suppressions')
      .set('x-sandbox-name', 'a')
      .send({ channel: 'email', address: 'isolated@example.com', reason: 'manual' })
      .expect(201);
    await h.api.get(at('email', 'isolated@example.com')).set('x-sandbox-name', 'b').expect(404);
    await h.api.delete(at('email', 'isolated@example.com')).set('x-sandbox-name', 'b').expect(404);
    const listB = await h.api.get('/suppressions?channel=email').set('x-sandbox-name', 'b').expect(200);
    expect(listB.body.items).toEqual([]);
    await h.api
      .post('/suppressions')
      .set('x-sandbox-name', 'b')
      .send({ channel: 'email', address: 'isolated@example.com', reason: 'hard-bounce' })
      .expect(201);
    expect(await h.store.suppressions.find('a', 'email', 'isolated@example.com')).toMatchObject({
      reason: 'manual',
    });
  });

  describe('access', () => {
    it('refuses a key without the manage role with 403', async () => {
      const key = 'suppressions-execute-only-key-0123456789';
      await h.addApiKey(key, { name: 'executor', roles: ['execute'], sandboxes: ['*'] });
      const app = request(h.runtime.app);
      for (const call of [
        app.post('/suppressions').send({ channel: 'email', address: 'role@example.com', reason: 'manual' }),
        app.get('/suppressions?channel=email'),
        app.get(at('email', 'role@example.com')),
        app.delete(at('email', 'role@example.com')),
      ]) {
        const res = await call.set('authorization', `Bearer ${key}`).expect(403);
        expect(res.body.code).toBe('forbidden');
      }
      expect(await h.store.suppressions.find('prod', 'email', 'role@example.com')).toBeNull();
    });

    it('refuses a manage key outside its sandboxes with 403', async () => {
      const key = 'suppressions-manage-sandbox-a-key-0123456789';
      await h.addApiKey(key, { name: 'a only', roles: ['manage'], sandboxes: ['a'] });
      const app = request(h.runtime.app);
      await app
        .get('/suppressions?channel=email')
        .set('x-api-key', key)
        .set('x-sandbox-name', 'a')
        .expect(200);
      await app
        .get('/suppressions?channel=email')
        .set('x-api-key', key)
        .set('x-sandbox-name', 'b')
        .expect(403);
    });

    it('refuses a call without a key with 401', async () => {
      const app = request(h.runtime.app);
      await app
        .post('/suppressions')
        .send({ channel: 'email', address: 'k@example.com', reason: 'manual' })
        .expect(401);
      await app.get('/suppressions?channel=email').expect(401);
      await app.get(at('email', 'k@example.com')).expect(401);
      await app.delete(at('email', 'k@example.com')).expect(401);
    });
  });
});
