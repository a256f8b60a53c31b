import request from 'supertest';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';

interface FieldErrorBody {
  path: string;
  code: string;
}

const QUIET_HOURS = {
  start: '21:00',
  end: '08:00',
  weekdays: [1, 2, 3, 4, 5],
  timezone: 'Europe/Paris',
  action: 'discard',
};

const VALID = {
  frequencyCaps: { email: { max: 3, periodSeconds: 86_400 }, push: { max: 10, periodSeconds: 3600 } },
  quietHours: QUIET_HOURS,
};

function errorsOf(body: { errors?: FieldErrorBody[] }): Array<{ path: string; code: string }> {
  return (body.errors ?? []).map(({ path, code }) => ({ path, code }));
}

describe('settings API', () => {
  let h: ApiHarness;
  beforeAll(async () => (h = await startApiHarness('settings')));
  afterAll(async () => h.close());

  it('answers the defaults for a sandbox that never stored settings', async () => {
    const res = await h.api.get('/settings').set('x-sandbox-name', 'fresh').expect(200);
    expect(res.body).toEqual({ sandbox: 'fresh', frequencyCaps: {}, updatedAt: null });
  });

  it('stores settings, answers them and serves them to the store readers', async () => {
    const put = await h.api.put('/settings').set('x-sandbox-name', 'stored').send(VALID).expect(200);

    expect(put.body).toEqual({ sandbox: 'stored', ...VALID, updatedAt: expect.any(String) });
    const got = await h.api.get('/settings').set('x-sandbox-name', 'stored').expect(200);
    expect(got.body).toEqual(put.body);
    expect(await h.store.settings.get('stored')).toEqual(put.body);
    expect(await h.store.settings.get('prod')).toBeNull();
  });

  it('replaces the settings whole and fills in defaults', async () => {
    await h.api.put('/settings').set('x-sandbox-name', 'replaced').send(VALID).expect(200);

    const put = await h.api
      .put('/settings')
      .set('x-sandbox-name', 'replaced')
      .send({ quietHours: { start: '22:30', end: '23:59', timezone: 'america/new_york' } })
      .expect(200);

    expect(put.body).toEqual({
      sandbox: 'replaced',
      frequencyCaps: {},
      quietHours: { start: '22:30', end: '23:59', timezone: 'America/New_York', action: 'defer' },
      updatedAt: expect.any(String),
    });
    expect(await h.store.settings.get('replaced')).toEqual(put.body);
  });

  it('refuses bad settings with the path of every problem and changes nothing', async () => {
    await h.api.put('/settings').set('x-sandbox-name', 'refused').send(VALID).expect(200);
    const before = await h.store.settings.get('refused');

    const res = await h.api
      .put('/settings')
      .set('x-sandbox-name', 'refused')
      .send({
        frequencyCaps: { email: { max: 0, periodSeconds: 30 }, fax: { max: 1, periodSeconds: 60 } },
        quietHours: {
          start: '24:00',
          end: '8:00',
          weekdays: [1, 1, 7],
          timezone: 'Mars/Olympus',
          action: 'skip',
        },
        extra: true,
      })
      .expect(400);

    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('invalid-settings');
    expect(errorsOf(res.body)).toEqual(
      expect.arrayContaining([
        { path: '/extra', code: 'additionalProperties' },
        { path: '/frequencyCaps/fax', code: 'additionalProperties' },
        { path: '/frequencyCaps/email/max', code: 'minimum' },
        { path: '/frequencyCaps/email/periodSeconds', code: 'minimum' },
        { path: '/quietHours/start', code: 'pattern' },
        { path: '/quietHours/end', code: 'pattern' },
        { path: '/quietHours/weekdays/2', code: 'maximum' },
        { path: '/quietHours/weekdays', code: 'uniqueItems' },
        { path: '/quietHours/timezone', code: 'invalid-timezone' },
        { path: '/quietHours/action', code: 'enum' },
      ]),
    );
    expect(await h.store.settings.get('refused')).toEqual(before);
  });

  it('refuses caps beyond their bounds, an empty window and an unknown zone', async () => {
    const res = await h.api
      .put('/settings')
      .send({
        frequencyCaps: {
          sms: { max: 1001, periodSeconds: 2_592_001 },
          push: { max: 1.5, periodSeconds: 60 },
        },
        quietHours: { start: '08:00', end: '08:00', timezone: 'Not/AZone', action: 'defer' },
      })
      .expect(400);

    expect(errorsOf(res.body)).toEqual(
      expect.arrayContaining([
        { path: '/frequencyCaps/sms/max', code: 'maximum' },
        { path: '/frequencyCaps/sms/periodSeconds', code: 'maximum' },
        { path: '/frequencyCaps/push/max', code: 'type' },
        { path: '/quietHours/end', code: 'empty-window' },
        { path: '/quietHours/timezone', code: 'invalid-timezone' },
      ]),
    );
    expect(await h.store.settings.get('prod')).toBeNull();
  });

  it('refuses quiet hours missing their window or zone, and a body that is not an object', async () => {
    const missing = await h.api
      .put('/settings')
      .send({ quietHours: { action: 'defer' } })
      .expect(400);
    expect(errorsOf(missing.body)).toEqual(
      expect.arrayContaining([
        { path: '/quietHours/start', code: 'required' },
        { path: '/quietHours/end', code: 'required' },
        { path: '/quietHours/timezone', code: 'required' },
      ]),
    );
    const notObject = await h.api.put('/settings').send([VALID]).expect(400);
    expect(errorsOf(notObject.body)).toEqual([{ path: '/', code: 'type' }]);
    await h.api.put('/settings').set('content-type', 'text/plain').send('frequencyCaps').expect(415);
  });

  it('needs the manage role in the sandbox addressed', async () => {
    const executeKey = 'settings-execute-key-0123456789abcdef';
    const otherSandboxKey = 'settings-other-sandbox-key-0123456789';
    await h.addApiKey(executeKey, { name: 'execute', roles: ['execute'], sandboxes: ['prod'] });
    await h.addApiKey(otherSandboxKey, { name: 'manage elsewhere', roles: ['manage'], sandboxes: ['other'] });
    const app = request(h.runtime.app);

    await app.get('/settings').expect(401);
    await app.get('/settings').set('x-api-key', executeKey).expect(403);
    await app.put('/settings').set('x-api-key', executeKey).send(VALID).expect(403);
    await app.put('/settings').set('x-api-key', otherSandboxKey).send(VALID).expect(403);
    await app
      .put('/settings')
      .set('x-api-key', otherSandboxKey)
      .set('x-sandbox-name', 'other')
      .send(VALID)
      .expect(200);
    expect(await h.store.settings.get('prod')).toBeNull();
  });
});
