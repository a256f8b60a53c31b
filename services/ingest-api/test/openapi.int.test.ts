import { orderShippedCampaign } from '@herald/testing';
import { createAjv } from '../src/validation/ajv';
import { startApiHarness, type ApiHarness } from './api-harness';

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
    expect(documented.sort()).toEqual(registeredRoutes(router.stack).sort());
  });

  it('describes request bodies with the schemas the API validates with', async () => {
    const res = await h.api.get('/openapi.json').expect(200);
    const ajv = createAjv();
    const validateCampaign = ajv.compile(res.body.components.schemas.CampaignDefinition);
    expect(validateCampaign(orderShippedCampaign())).toBe(true);
    expect(validateCampaign({ ...orderShippedCampaign(), channel: 'fax' })).toBe(false);
  });
});
