import fs from 'node:fs';
import request from 'supertest';
import { hashApiKey } from '../src/auth/api-key-secret';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';

const ORG = 'ACME0123456789@AdobeOrg';

describe('API credentials', () => {
  let h: ApiHarness;
  const keys = {
    manage: 'key-manage-only-0123456789',
    prodAdmin: 'key-prod-admin-0123456789',
  };

  beforeAll(async () => {
    h = await startApiHarness('api-credentials', {
      HERALD_ORG_ID: ORG,
      TOKEN_SIGNING_KEYS: 'credentials-test-signing-key-0123456789abcdef',
    });
    await h.addApiKey(keys.manage, { name: 'manage', roles: ['manage'], sandboxes: ['*'] });
    await h.addApiKey(keys.prodAdmin, { name: 'prod admin', roles: ['admin'], sandboxes: ['prod'] });
  });
  afterAll(async () => h.close());

  const app = () => request(h.runtime.app);
  const definition = { name: 'AJO integration', roles: ['execute'], sandboxes: ['prod'] };

  it('creates a credential in the configured org and shows its secret in that answer only', async () => {
    const created = await h.api.post('/api-credentials').send(definition).expect(201);

    expect(created.body).toEqual({
      id: expect.any(String),
      ...definition,
      clientId: expect.stringMatching(/^[0-9a-f]{32}$/),
      clientSecret: expect.stringMatching(/^hrldcs_[A-Za-z0-9_-]{43}$/),
      orgId: ORG,
      createdAt: expect.any(String),
    });
    const listed = await h.api.get('/api-credentials').expect(200);
    const item = listed.body.items.find((entry: { id: string }) => entry.id === created.body.id);
    const { clientSecret: _secret, ...withoutSecret } = created.body;
    expect(item).toEqual(withoutSecret);
  });

  it('stores only the SHA-256 of the secret: the store files never hold it', async () => {
    const created = await h.api.post('/api-credentials').send(definition).expect(201);
    const secret: string = created.body.clientSecret;

    const stored = await h.store.apiCredentials.findByClientId(created.body.clientId);

    expect(stored?.secretHash).toBe(hashApiKey(secret));
    // The embedded store is a SQLite file and its write-ahead log: neither may hold the secret,
    // while one of them holds the credential (so the search does look at what was written).
    const files = [h.config.store.url, `${h.config.store.url}-wal`].filter((file) => fs.existsSync(file));
    const contents = files.map((file) => fs.readFileSync(file));
    expect(contents.some((bytes) => bytes.includes(created.body.clientId))).toBe(true);
    expect(contents.some((bytes) => bytes.includes(secret))).toBe(false);
  });

  it('refuses an invalid definition with 400 invalid-api-credential', async () => {
    const refused = await h.api
      .post('/api-credentials')
      .send({ name: 'x', roles: ['root'] })
      .expect(400);
    expect(refused.body.code).toBe('invalid-api-credential');
  });

  it('is for admin keys only, each within its own sandboxes', async () => {
    await app().get('/api-credentials').set('x-api-key', keys.manage).expect(403);
    await app().post('/api-credentials').set('x-api-key', keys.manage).send(definition).expect(403);
    const everywhere = await app()
      .post('/api-credentials')
      .set('x-api-key', keys.prodAdmin)
      .send({ ...definition, sandboxes: ['*'] })
      .expect(403);
    expect(everywhere.body.code).toBe('forbidden');
    const devOnly = await h.api
      .post('/api-credentials')
      .send({ ...definition, sandboxes: ['dev'] })
      .expect(201);

    const seen = await app().get('/api-credentials').set('x-api-key', keys.prodAdmin).expect(200);
    expect(seen.body.items.map((item: { id: string }) => item.id)).not.toContain(devOnly.body.id);
    await app().delete(`/api-credentials/${devOnly.body.id}`).set('x-api-key', keys.prodAdmin).expect(404);
  });

  it('revokes a credential: its secret gets no more tokens, and a second revoke is 404', async () => {
    const created = await h.api.post('/api-credentials').send(definition).expect(201);

    await h.api.delete(`/api-credentials/${created.body.id}`).expect(204);

    const again = await h.api.delete(`/api-credentials/${created.body.id}`).expect(404);
    expect(again.body.code).toBe('api-credential-not-found');
    const listed = await h.api.get('/api-credentials').expect(200);
    const item = listed.body.items.find((entry: { id: string }) => entry.id === created.body.id);
    expect(item.revokedAt).toEqual(expect.any(String));
    const token = await app()
      .post('/ims/token/v3')
      .type('form')
      .send({
        grant_type: 'client_credentials',
        client_id: created.body.clientId,
        client_secret: created.body.clientSecret,
      })
      .expect(401);
    expect(token.body.error).toBe('invalid_client');
  });
});
