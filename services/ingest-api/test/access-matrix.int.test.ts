import request from 'supertest';
import type { ApiKeyRole } from '@herald/store';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';

/**
 * Routes anyone may call with no API key: probes, the API description, provider webhooks, which
 * need the provider's signature instead (sendgrid-webhook and twilio-webhook tests), and the token
 * request, which needs a client id and secret (ims-token test).
 */
const OPEN = new Set([
  '/ims/token/v3',
  '/health',
  '/ready',
  '/im/health',
  '/ajo/im/health',
  '/openapi.json',
  '/docs',
  '/webhooks/sendgrid',
  '/webhooks/twilio',
]);

/** The roles that may call each documented operation, by method and path. */
function allowedRoles(method: string, path: string): ApiKeyRole[] {
  if (path.startsWith('/im/') || path.startsWith('/ajo/im/')) return ['execute'];
  if (path.startsWith('/api-keys') || path.startsWith('/api-credentials')) return ['admin'];
  // Execution reports are read by the systems that trigger them as well as by managers.
  if (path.startsWith('/executions/') && method === 'get') return ['execute', 'manage'];
  return ['manage'];
}

const ROLES: readonly ApiKeyRole[] = ['execute', 'manage', 'admin'];

/**
 * The auth matrix, role × endpoint × sandbox, over every operation the OpenAPI document lists:
 * so a route added later without its guard fails here.
 */
describe('access to every documented operation', () => {
  let h: ApiHarness;
  let operations: Array<{ method: string; path: string; roles: ApiKeyRole[] }>;
  const keyFor = (role: ApiKeyRole, sandbox: string) => `matrix-${role}-${sandbox}-0123456789abcdef`;

  beforeAll(async () => {
    h = await startApiHarness('matrix');
    for (const role of ROLES) {
      for (const sandbox of ['prod', 'other']) {
        await h.addApiKey(keyFor(role, sandbox), {
          name: `${role}@${sandbox}`,
          roles: [role],
          sandboxes: [sandbox],
        });
      }
    }
    const document = (await h.api.get('/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    operations = Object.entries(document.paths)
      .filter(([path]) => !OPEN.has(path))
      .flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => ({ method, path, roles: allowedRoles(method, path) })),
      );
  });
  afterAll(async () => h.close());

  const call = (method: string, path: string) => {
    const url = path.replace(/\{[^}]+\}/g, 'matrix-id');
    const agent = request(h.runtime.app);
    const pending =
      method === 'get'
        ? agent.get(url)
        : method === 'delete'
          ? agent.delete(url)
          : method === 'put'
            ? agent.put(url)
            : method === 'patch'
              ? agent.patch(url)
              : agent.post(url);
    return method === 'get' || method === 'delete' ? pending : pending.send({});
  };

  it('covers the management, execution and key routes', () => {
    const roles = new Set(operations.flatMap((operation) => operation.roles));
    expect(roles).toEqual(new Set(ROLES));
    expect(operations.length).toBeGreaterThan(25);
  });

  it('answers 401 to every guarded operation called without a key', async () => {
    for (const { method, path } of operations) {
      const res = await call(method, path);
      expect({ operation: `${method} ${path}`, status: res.status }).toEqual({
        operation: `${method} ${path}`,
        status: 401,
      });
    }
  });

  it('answers 403 to a key lacking the role, and lets the right role through', async () => {
    for (const { method, path, roles } of operations) {
      for (const other of ROLES.filter((candidate) => !roles.includes(candidate))) {
        const res = await call(method, path).set('x-api-key', keyFor(other, 'prod'));
        expect({ operation: `${method} ${path}`, key: other, status: res.status }).toEqual({
          operation: `${method} ${path}`,
          key: other,
          status: 403,
        });
      }
      for (const role of roles) {
        const allowed = await call(method, path).set('x-api-key', keyFor(role, 'prod'));
        expect({
          operation: `${method} ${path}`,
          role,
          passedAuth: ![401, 403].includes(allowed.status),
        }).toEqual({
          operation: `${method} ${path}`,
          role,
          passedAuth: true,
        });
      }
    }
  });

  it('answers 403 to the right role used in a sandbox the key does not cover', async () => {
    for (const { method, path, roles } of operations.filter(
      (operation) => !operation.roles.includes('admin'),
    )) {
      const res = await call(method, path)
        .set('x-api-key', keyFor(roles[0]!, 'other'))
        .set('x-sandbox-name', 'prod');
      expect({ operation: `${method} ${path}`, status: res.status }).toEqual({
        operation: `${method} ${path}`,
        status: 403,
      });
    }
  });
});
