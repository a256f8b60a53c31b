import request from 'supertest';
import pino from 'pino';
import type { Express } from 'express';
import { orderShippedCampaign } from '@herald/testing';
import { AccessTokens } from '../src/auth/access-tokens';
import { buildApi, type ApiRuntime } from '../src/index';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';
import { createLiveCampaign } from './trigger-setup.fixture';

const ORG = 'ACME0123456789@AdobeOrg';
const KEY_A = 'ims-token-test-key-a-0123456789abcdefghij';
const KEY_B = 'ims-token-test-key-b-0123456789abcdefghij';
const CACHE_SECONDS = 1;

interface Credential {
  id: string;
  clientId: string;
  clientSecret: string;
}

/** The claims of a JWT, read without verifying it. */
function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

describe('AJO-style access tokens (POST /ims/token/v3)', () => {
  let h: ApiHarness;
  let campaignId: string;
  let credential: Credential;
  let calls = 0;
  const extraRuntimes: ApiRuntime[] = [];

  beforeAll(async () => {
    h = await startApiHarness('ims-token', {
      HERALD_ORG_ID: ORG,
      TOKEN_SIGNING_KEYS: KEY_A,
      API_KEY_CACHE_SECONDS: String(CACHE_SECONDS),
    });
    campaignId = await createLiveCampaign(h, orderShippedCampaign());
    credential = await newCredential(['execute'], ['prod']);
  });
  afterAll(async () => {
    await Promise.all(extraRuntimes.map((runtime) => runtime.close()));
    await h.close();
  });

  /** Another API process on the same store and Redis, with other signing keys. */
  async function apiWithKeys(keys: string[]): Promise<Express> {
    const config = { ...h.config, auth: { ...h.config.auth, tokenSigningKeys: keys } };
    const runtime = await buildApi(config, pino({ level: 'silent' }));
    extraRuntimes.push(runtime);
    return runtime.app;
  }

  async function newCredential(roles: string[], sandboxes: string[]): Promise<Credential> {
    const created = await h.api.post('/api-credentials').send({ name: 'ajo', roles, sandboxes }).expect(201);
    return created.body as Credential;
  }

  async function tokenFor(
    of: Credential,
    app: Express = h.runtime.app,
  ): Promise<{ access_token: string; expires_in: number }> {
    const answer = await request(app)
      .post('/ims/token/v3')
      .type('form')
      .send({
        grant_type: 'client_credentials',
        client_id: of.clientId,
        client_secret: of.clientSecret,
        scope: 'openid,AdobeID',
      })
      .expect(200);
    return answer.body;
  }

  /** A unitary call with the AJO headers: the token, its client id and its org. */
  function unitary(
    token: string,
    headers: Record<string, string> = { 'x-api-key': credential.clientId, 'x-gw-ims-org-id': ORG },
    app: Express = h.runtime.app,
  ) {
    calls += 1;
    const call = request(app).post('/im/executions/unitary').set('authorization', `Bearer ${token}`);
    for (const [name, value] of Object.entries(headers)) call.set(name, value);
    return call.send({
      requestId: `ims-${calls}`,
      campaignId,
      recipients: [
        { type: 'aep', userId: 'a@example.com', namespace: 'email', context: { orderId: '1', total: 1 } },
      ],
    });
  }

  describe('the token request', () => {
    it('answers a bearer JWT for 24 hours, naming the credential, never cached', async () => {
      const answer = await request(h.runtime.app)
        .post('/ims/token/v3')
        .type('form')
        .send({
          grant_type: 'client_credentials',
          client_id: credential.clientId,
          client_secret: credential.clientSecret,
          scope: 'openid,AdobeID',
        })
        .expect(200);

      expect(answer.body).toEqual({
        access_token: expect.any(String),
        token_type: 'bearer',
        expires_in: 86400,
      });
      expect(answer.headers['cache-control']).toBe('no-store');
      const claims = claimsOf(answer.body.access_token);
      expect(claims).toMatchObject({
        sub: credential.clientId,
        client_id: credential.clientId,
        org_id: ORG,
        credential_id: credential.id,
        iss: 'herald',
        jti: expect.any(String),
      });
      expect(Number(claims.exp) - Number(claims.iat)).toBe(86400);
    });

    it('takes the parameters from the query string too, as IMS does', async () => {
      await request(h.runtime.app)
        .post(`/ims/token/v3?client_id=${credential.clientId}`)
        .type('form')
        .send({ grant_type: 'client_credentials', client_secret: credential.clientSecret })
        .expect(200);
    });

    it('refuses a client_secret in the query string with 400 invalid_request: URLs end up in logs', async () => {
      const refused = await request(h.runtime.app)
        .post(`/ims/token/v3?client_secret=${credential.clientSecret}`)
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: credential.clientId })
        .expect(400);

      expect(refused.body.error).toBe('invalid_request');
    });

    it('takes the client id and secret as HTTP Basic, as OAuth client libraries send them', async () => {
      const basic = (id: string, secret: string) =>
        `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
      const answer = await request(h.runtime.app)
        .post('/ims/token/v3')
        .set('authorization', basic(credential.clientId, credential.clientSecret))
        .type('form')
        .send({ grant_type: 'client_credentials', scope: 'openid' })
        .expect(200);
      expect(claimsOf(answer.body.access_token)).toMatchObject({ credential_id: credential.id });

      const wrong = await request(h.runtime.app)
        .post('/ims/token/v3')
        .set('authorization', basic(credential.clientId, 'nope'))
        .type('form')
        .send({ grant_type: 'client_credentials' })
        .expect(401);
      expect(wrong.body.error).toBe('invalid_client');
      expect(wrong.headers['www-authenticate']).toMatch(/^Basic /);

      const both = await request(h.runtime.app)
        .post('/ims/token/v3')
        .set('authorization', basic(credential.clientId, credential.clientSecret))
        .type('form')
        .send({
          grant_type: 'client_credentials',
          client_id: credential.clientId,
          client_secret: credential.clientSecret,
        })
        .expect(400);
      expect(both.body.error).toBe('invalid_request');
    });

    it('bounds the form body and the scope, so that no caller mints a huge token', async () => {
      const params = { grant_type: 'client_credentials', client_id: credential.clientId };
      const tooLarge = await request(h.runtime.app)
        .post('/ims/token/v3')
        .type('form')
        .send({ ...params, client_secret: credential.clientSecret, scope: 'a'.repeat(9000) })
        .expect(413);
      expect(tooLarge.body.code).toBe('payload-too-large');

      const longScope = await request(h.runtime.app)
        .post(`/ims/token/v3?scope=${'a'.repeat(1025)}`)
        .type('form')
        .send({ ...params, client_secret: credential.clientSecret })
        .expect(400);
      expect(longScope.body.error).toBe('invalid_scope');
    });

    it('refuses a wrong secret and an unknown client alike, with 401 invalid_client', async () => {
      const wrongSecret = await request(h.runtime.app)
        .post('/ims/token/v3')
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: credential.clientId, client_secret: 'nope' })
        .expect(401);
      const unknownClient = await request(h.runtime.app)
        .post('/ims/token/v3')
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: 'f'.repeat(32), client_secret: 'nope' })
        .expect(401);

      expect(wrongSecret.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
      expect(unknownClient.body).toEqual(wrongSecret.body);
    });

    it('refuses another grant with 400 unsupported_grant_type, and a missing or repeated parameter with invalid_request', async () => {
      const grant = await request(h.runtime.app)
        .post('/ims/token/v3')
        .type('form')
        .send({
          grant_type: 'password',
          client_id: credential.clientId,
          client_secret: credential.clientSecret,
        })
        .expect(400);
      const missing = await request(h.runtime.app)
        .post('/ims/token/v3')
        .type('form')
        .send({ client_id: credential.clientId, client_secret: credential.clientSecret })
        .expect(400);
      const twice = await request(h.runtime.app)
        .post('/ims/token/v3?client_id=other')
        .type('form')
        .send({
          grant_type: 'client_credentials',
          client_id: credential.clientId,
          client_secret: credential.clientSecret,
        })
        .expect(400);

      expect(grant.body.error).toBe('unsupported_grant_type');
      expect(missing.body.error).toBe('invalid_request');
      expect(twice.body.error).toBe('invalid_request');
    });

    it('answers 404 tokens-not-configured when TOKEN_SIGNING_KEYS is unset', async () => {
      const app = await apiWithKeys([]);

      const refused = await request(app)
        .post('/ims/token/v3')
        .type('form')
        .send({
          grant_type: 'client_credentials',
          client_id: credential.clientId,
          client_secret: credential.clientSecret,
        })
        .expect(404);

      expect(refused.body.code).toBe('tokens-not-configured');
    });
  });

  describe('calls with a token', () => {
    it('accepts the token with x-api-key = its client id and x-gw-ims-org-id = its org', async () => {
      const { access_token: token } = await tokenFor(credential);

      await unitary(token).expect(202);
    });

    it('refuses another or a missing client id with 403 client-id-mismatch', async () => {
      const { access_token: token } = await tokenFor(credential);

      const other = await unitary(token, { 'x-api-key': 'f'.repeat(32), 'x-gw-ims-org-id': ORG }).expect(403);
      const missing = await unitary(token, { 'x-gw-ims-org-id': ORG }).expect(403);

      expect(other.body.code).toBe('client-id-mismatch');
      expect(missing.body.code).toBe('client-id-mismatch');
    });

    it('refuses another or a missing org with 403 org-mismatch', async () => {
      const { access_token: token } = await tokenFor(credential);

      const other = await unitary(token, {
        'x-api-key': credential.clientId,
        'x-gw-ims-org-id': 'OTHER@AdobeOrg',
      }).expect(403);
      const missing = await unitary(token, { 'x-api-key': credential.clientId }).expect(403);

      expect(other.body.code).toBe('org-mismatch');
      expect(missing.body.code).toBe('org-mismatch');
    });

    it('refuses an expired token with 401 token-expired', async () => {
      const stored = await h.store.apiCredentials.findActive(credential.id);
      const dayAgo = new AccessTokens([KEY_A], 3600, () => Date.now() - 24 * 3600 * 1000);
      const { token } = await dayAgo.issue(stored!, '');

      const refused = await unitary(token).expect(401);

      expect(refused.body.code).toBe('token-expired');
      expect(refused.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    });

    it('refuses a tampered token with 401 token-invalid', async () => {
      const { access_token: token } = await tokenFor(credential);
      const [header, , signature] = token.split('.');
      const forged = Buffer.from(
        JSON.stringify({ ...claimsOf(token), credential_id: 'someone-else' }),
        'utf8',
      ).toString('base64url');

      const refused = await unitary(`${header}.${forged}.${signature}`).expect(401);

      expect(refused.body.code).toBe('token-invalid');
    });

    it("applies the credential's roles and sandboxes", async () => {
      const manager = await newCredential(['manage'], ['prod']);
      const { access_token: managerToken } = await tokenFor(manager);
      const { access_token: token } = await tokenFor(credential);

      const noRole = await unitary(managerToken, { 'x-api-key': manager.clientId, 'x-gw-ims-org-id': ORG });
      const otherSandbox = await unitary(token, {
        'x-api-key': credential.clientId,
        'x-gw-ims-org-id': ORG,
        'x-sandbox-name': 'dev',
      });

      expect([noRole.status, noRole.body.code]).toEqual([403, 'forbidden']);
      expect([otherSandbox.status, otherSandbox.body.code]).toEqual([403, 'forbidden']);
      await request(h.runtime.app)
        .get(`/campaigns/${campaignId}`)
        .set({
          authorization: `Bearer ${managerToken}`,
          'x-api-key': manager.clientId,
          'x-gw-ims-org-id': ORG,
        })
        .expect(200);
    });

    it('stops accepting the tokens of a revoked credential within the key cache period', async () => {
      const revoked = await newCredential(['execute'], ['prod']);
      const { access_token: token } = await tokenFor(revoked);
      const headers = { 'x-api-key': revoked.clientId, 'x-gw-ims-org-id': ORG };
      await unitary(token, headers).expect(202);

      // Revoked by another API process: this one learns it when its cached answer expires.
      await h.store.apiCredentials.revoke(revoked.id);
      await new Promise((resolve) => setTimeout(resolve, CACHE_SECONDS * 1000 + 200));

      const refused = await unitary(token, headers).expect(401);
      expect(refused.body.code).toBe('credential-revoked');
    });
  });

  describe('signing key rotation', () => {
    it('verifies tokens of the old key while it is listed, and refuses them once it is removed', async () => {
      const { access_token: oldToken } = await tokenFor(credential);
      const rotated = await apiWithKeys([KEY_B, KEY_A]);
      const retired = await apiWithKeys([KEY_B]);

      const { access_token: newToken } = await tokenFor(credential, rotated);

      await unitary(oldToken, undefined, rotated).expect(202);
      await unitary(newToken, undefined, rotated).expect(202);
      await unitary(newToken, undefined, retired).expect(202);
      const refused = await unitary(oldToken, undefined, retired).expect(401);
      expect(refused.body.code).toBe('token-invalid');
    });
  });

  describe('Herald API keys', () => {
    it('still work in Authorization and in x-api-key, a Bearer key winning over x-api-key', async () => {
      const call = (set: Record<string, string>) =>
        request(h.runtime.app)
          .post('/im/executions/unitary')
          .set(set)
          .send({
            requestId: `key-${(calls += 1)}`,
            campaignId,
            recipients: [
              {
                type: 'aep',
                userId: 'a@example.com',
                namespace: 'email',
                context: { orderId: '1', total: 1 },
              },
            ],
          });

      await call({ authorization: `Bearer ${h.adminKey}` }).expect(202);
      await call({ 'x-api-key': h.adminKey }).expect(202);
      await call({ authorization: `Bearer ${h.adminKey}`, 'x-api-key': credential.clientId }).expect(202);
    });
  });
});
