import { orderShippedCampaign } from '@herald/testing';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';

describe('context-schema limits', () => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await startApiHarness('context-schema-limits');
  });
  afterAll(async () => h.close());

  const withContextSchema = (contextSchema: Record<string, unknown>) => ({
    ...orderShippedCampaign(),
    contextSchema,
  });

  it('refuses a $id in every sandbox alike, naming where it is, rather than letting one sandbox claim it', async () => {
    const schema = {
      $id: 'urn:shop:order-context',
      type: 'object',
      properties: { orderId: { type: 'string' } },
    };

    for (const sandbox of ['b', 'a', 'b']) {
      const res = await h.api
        .post('/campaigns')
        .set('x-sandbox-name', sandbox)
        .send(withContextSchema(schema))
        .expect(400);
      expect(res.body).toMatchObject({
        code: 'invalid-campaign',
        errors: [{ path: '/contextSchema/$id', code: 'id-not-allowed' }],
      });
    }
  });

  it('refuses a $id nested anywhere in the context schema', async () => {
    const res = await h.api
      .post('/campaigns')
      .send(
        withContextSchema({
          type: 'object',
          $defs: { line: { $id: 'line', type: 'object' } },
          properties: { lines: { type: 'array', maxItems: 10, items: { $ref: '#/$defs/line' } } },
        }),
      )
      .expect(400);

    expect(res.body.errors).toEqual([
      expect.objectContaining({ path: '/contextSchema/$defs/line/$id', code: 'id-not-allowed' }),
    ]);
  });

  it('refuses uniqueItems without a maxItems of at most 1000 or scalar items with a maxItems, naming each', async () => {
    const res = await h.api
      .post('/campaigns')
      .send(
        withContextSchema({
          type: 'object',
          properties: {
            tags: { type: 'array', uniqueItems: true },
            lines: { type: 'array', uniqueItems: true, maxItems: 20000, items: { type: 'object' } },
            codes: { type: 'array', uniqueItems: true, items: { type: 'string' } },
          },
        }),
      )
      .expect(400);

    expect(res.body.code).toBe('invalid-campaign');
    expect(res.body.errors.map((e: { path: string; code: string }) => [e.path, e.code]).sort()).toEqual([
      ['/contextSchema/properties/codes/uniqueItems', 'unbounded-unique-items'],
      ['/contextSchema/properties/lines/uniqueItems', 'unbounded-unique-items'],
      ['/contextSchema/properties/tags/uniqueItems', 'unbounded-unique-items'],
    ]);
  });

  it('accepts uniqueItems with a maxItems of at most 1000, or over scalar items with any maxItems', async () => {
    await h.api
      .post('/campaigns')
      .send(
        withContextSchema({
          type: 'object',
          properties: {
            lines: { type: 'array', uniqueItems: true, maxItems: 1000, items: { type: 'object' } },
            codes: { type: 'array', uniqueItems: true, maxItems: 20000, items: { type: 'string' } },
            ids: { type: 'array', uniqueItems: true, maxItems: 5000, items: { type: ['integer', 'string'] } },
          },
        }),
      )
      .expect(201);
  });
});
