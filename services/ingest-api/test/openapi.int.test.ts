import { orderShippedCampaign } from '@herald/testing';
import { createAjv } from '../src/validation/ajv';
import { startApiHarness, type ApiHarness } from './api-harness';

interface Operation {
  requestBody?: { content?: Record<string, { schema: { $ref?: string }; example?: unknown }> };
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
