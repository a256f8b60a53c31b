import { orderShippedCampaign } from '@herald/testing';
import { createAjv } from '../src/validation/ajv';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';

interface Operation {
  operationId?: string;
  tags?: string[];
  security?: unknown[];
  responses: Record<string, unknown>;
  requestBody?: { content?: Record<string, { schema: { $ref?: string }; example?: unknown }> };
}

/**
 * Operations that need no API key: probes, the API description, the signed provider webhooks, and
 * the token request (its client id and secret are its credentials).
 */
const WITHOUT_API_KEY = [
  'POST /ims/token/v3',
  'GET /health',
  'GET /ready',
  'GET /im/health',
  'GET /ajo/im/health',
  'GET /docs',
  'GET /openapi.json',
  'POST /webhooks/sendgrid',
  'POST /webhooks/twilio',
];

/**
 * The operationIds of AJO's Interactive Message Execution API, on AJO's paths (its server URL ends
 * in `/ajo`); the same operations under Herald's `/im` end in `Herald`.
 */
const AJO_OPERATION_IDS = {
  'POST /ajo/im/executions/unitary': 'postIMUnitaryMessageExecution',
  'POST /ajo/im/executions/highthroughput': 'postIMUnitaryHAMessageExecution',
  'POST /ajo/im/executions/audience': 'postIMAudienceMessageExecution',
  'GET /ajo/im/executions/audience/{executionId}': 'getBatchExecutionStatusByExecutionId',
  'GET /ajo/im/executions/schedules/{scheduleId}': 'getBatchExecutionStatusByScheduleId',
  'DELETE /ajo/im/executions/schedules/{scheduleId}': 'deleteScheduledExecution',
  'POST /im/executions/unitary': 'postIMUnitaryMessageExecutionHerald',
  'POST /im/executions/highthroughput': 'postIMUnitaryHAMessageExecutionHerald',
  'POST /im/executions/audience': 'postIMAudienceMessageExecutionHerald',
  'GET /im/executions/audience/{executionId}': 'getBatchExecutionStatusByExecutionIdHerald',
  'GET /im/executions/schedules/{scheduleId}': 'getBatchExecutionStatusByScheduleIdHerald',
  'DELETE /im/executions/schedules/{scheduleId}': 'deleteScheduledExecutionHerald',
};

/** Every operation of the document, named `METHOD path`. */
function operationsOf(document: {
  paths: Record<string, Record<string, Operation>>;
}): Array<[string, Operation]> {
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]): [string, Operation] => [
      `${method.toUpperCase()} ${path}`,
      operation,
    ]),
  );
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every (METHOD, path) the express app registers, in OpenAPI path syntax. */
function registeredRoutes(stack: Layer[]): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const path = layer.route.path.replace(/:(\w+)/g, '{$1}');
      return Object.keys(layer.route.methods).map((method) => `${method.toUpperCase()} ${path}`);
    }
    return layer.handle?.stack ? registeredRoutes(layer.handle.stack) : [];
  });
}

describe('the OpenAPI document', () => {
  let h: ApiHarness;
  beforeAll(async () => (h = await startApiHarness('openapi')));
  afterAll(async () => h.close());

  it('documents every route the app registers, and nothing else', async () => {
    const res = await h.api.get('/openapi.json').expect(200);
    const paths = res.body.paths as Record<string, Record<string, unknown>>;
    const documented = Object.entries(paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const router = (h.runtime.app as unknown as { router: { stack: Layer[] } }).router;
    // Files under /docs/ are Swagger UI's assets, not API routes.
    const routes = registeredRoutes(router.stack).filter((route) => !route.includes(' /docs/'));
    expect(documented.sort()).toEqual(routes.sort());
  });

  it('renders the document at /docs with the packaged Swagger UI, pointed at /openapi.json', async () => {
    const page = await h.api.get('/docs/').expect(200);
    expect(page.text).toContain('swagger-ui');
    const initializer = await h.api.get('/docs/swagger-initializer.js').expect(200);
    expect(initializer.text).toContain("url: '../openapi.json'");
    await h.api.get('/docs/swagger-ui-bundle.js').expect(200);
  });

  it('names and tags every operation, with the AJO operationIds on the AJO paths', async () => {
    const document = (await h.api.get('/openapi.json').expect(200)).body;
    const operations = operationsOf(document);
    const declaredTags = new Set((document.tags as Array<{ name: string }>).map((tag) => tag.name));
    for (const [name, operation] of operations) {
      expect({ name, operationId: typeof operation.operationId }).toEqual({ name, operationId: 'string' });
      expect({ name, tagged: (operation.tags ?? []).length > 0 }).toEqual({ name, tagged: true });
      for (const tag of operation.tags ?? []) expect(declaredTags).toContain(tag);
    }
    const ids = operations.map(([, operation]) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    const byName = Object.fromEntries(operations.map(([name, operation]) => [name, operation.operationId]));
    expect(byName).toMatchObject(AJO_OPERATION_IDS);
  });

  it('asks for an API key (Bearer or x-api-key) everywhere but the probes, the description and the webhooks', async () => {
    const document = (await h.api.get('/openapi.json').expect(200)).body;
    expect(document.components.securitySchemes).toEqual({
      bearerApiKey: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      apiKeyHeader: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-api-key' }),
      imsAccessToken: expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
      imsClientId: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-api-key' }),
      imsOrgId: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-gw-ims-org-id' }),
    });
    // An API key in either header, or an AJO-style access token with its two headers at once.
    expect(document.security).toEqual([
      { bearerApiKey: [] },
      { apiKeyHeader: [] },
      { imsAccessToken: [], imsClientId: [], imsOrgId: [] },
    ]);
    const open = operationsOf(document)
      .filter(([, operation]) => operation.security !== undefined)
      .map(([name, operation]) => {
        expect({ name, security: operation.security }).toEqual({ name, security: [] });
        return name;
      });
    expect(open.sort()).toEqual([...WITHOUT_API_KEY].sort());
  });

  it('lists 401 and 403 on every operation that needs a key, and 429 and 503 on the execution calls', async () => {
    const document = (await h.api.get('/openapi.json').expect(200)).body;
    for (const [name, operation] of operationsOf(document)) {
      const statuses = Object.keys(operation.responses);
      if (WITHOUT_API_KEY.includes(name)) continue;
      expect({ name, statuses }).toEqual({ name, statuses: expect.arrayContaining(['401', '403', '503']) });
      if (/ (\/ajo)?\/im\/executions\//.test(name)) {
        expect({ name, statuses }).toEqual({ name, statuses: expect.arrayContaining(['429']) });
      }
      if (operation.requestBody) {
        expect({ name, statuses }).toEqual({ name, statuses: expect.arrayContaining(['413']) });
      }
    }
  });

  it('gives Swagger UI an Authorize button that keeps the key across reloads', async () => {
    const document = (await h.api.get('/openapi.json').expect(200)).body;
    expect(Object.keys(document.components.securitySchemes).length).toBeGreaterThan(0);
    const initializer = await h.api.get('/docs/swagger-initializer.js').expect(200);
    expect(initializer.text).toContain('persistAuthorization: true');
  });

  it('gives every JSON request body an example that validates against its schema', async () => {
    const res = await h.api.get('/openapi.json').expect(200);
    const ajv = createAjv();
    for (const [name, schema] of Object.entries(res.body.components.schemas as Record<string, object>)) {
      ajv.addSchema(schema, `#/components/schemas/${name}`);
    }
    const bodies: Array<[string, { schema: { $ref?: string }; example?: unknown }]> = [];
    for (const [path, operations] of Object.entries(
      res.body.paths as Record<string, Record<string, Operation>>,
    )) {
      for (const [method, operation] of Object.entries(operations)) {
        const json = operation.requestBody?.content?.['application/json'];
        if (json) bodies.push([`${method.toUpperCase()} ${path}`, json]);
      }
    }
    expect(bodies.length).toBeGreaterThan(0);
    for (const [operation, body] of bodies) {
      expect({ operation, hasExample: body.example !== undefined }).toEqual({ operation, hasExample: true });
      const validate = body.schema.$ref ? ajv.getSchema(body.schema.$ref) : ajv.compile(body.schema);
      const valid = validate?.(body.example);
      expect({ operation, valid, errors: validate?.errors ?? null }).toEqual({
        operation,
        valid: true,
        errors: null,
      });
    }
  });

  it('describes request bodies with the schemas the API validates with', async () => {
    const res = await h.api.get('/openapi.json').expect(200);
    const ajv = createAjv();
    const validateCampaign = ajv.compile(res.body.components.schemas.CampaignDefinition);
    expect(validateCampaign(orderShippedCampaign())).toBe(true);
    expect(validateCampaign({ ...orderShippedCampaign(), channel: 'fax' })).toBe(false);
  });
});
