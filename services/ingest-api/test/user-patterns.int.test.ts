import { orderShippedCampaign, orderShippedRecipient } from '@herald/testing';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';
import { createLiveCampaign } from './trigger-setup.fixture';

/**
 * User-supplied patterns (context-schema `pattern`s, audience `$regex`) run in linear time:
 * each value below took JavaScript's backtracking RegExp seconds to refuse, freezing the API.
 * The time bounds are guards only; the outcome is what is checked.
 */
describe('user-supplied patterns', () => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await startApiHarness('user-patterns');
  });
  afterAll(async () => h.close());

  async function timed<T>(run: () => Promise<T>): Promise<{ result: T; ms: number }> {
    const started = performance.now();
    const result = await run();
    return { result, ms: performance.now() - started };
  }

  const withCodePattern = (pattern: string) => {
    const campaign = orderShippedCampaign();
    const schema = campaign.contextSchema as { properties: Record<string, unknown> };
    return {
      ...campaign,
      contextSchema: { ...schema, properties: { ...schema.properties, code: { type: 'string', pattern } } },
    };
  };

  it('dry-runs a campaign whose context pattern has overlapping alternatives against a 30-character almost-match', async () => {
    const campaignId = await createLiveCampaign(h, withCodePattern('^(a|a)*$'));
    const dryRun = (requestId: string, code: string) =>
      h.api.post('/im/executions/unitary?dryRun=true').send({
        requestId,
        campaignId,
        recipients: [
          orderShippedRecipient('ada@example.com', { context: { orderId: 'A-1', total: 1, code } }),
        ],
      });

    const { result: refused, ms } = await timed(() => dryRun('near', `${'a'.repeat(30)}!`));

    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      code: 'invalid-recipients',
      errors: [{ recipientIndex: 0, path: '/recipients/0/context/code', code: 'pattern' }],
    });
    expect(ms).toBeLessThan(1000);
    const accepted = await dryRun('match', 'a'.repeat(30)).expect(200);
    expect(accepted.body.recipients).toEqual([expect.objectContaining({ index: 0, outcome: 'send' })]);
  });

  it('refuses context patterns the linear-time engine cannot run, naming each', async () => {
    const res = await h.api
      .post('/campaigns')
      .send({
        ...orderShippedCampaign(),
        contextSchema: {
          type: 'object',
          properties: {
            code: { type: 'string', pattern: '^(?=A)[A-Z]+$' },
            tags: { type: 'object', propertyNames: { pattern: '^(a)\\1$' } },
          },
          patternProperties: { '^(?<!x)y$': { type: 'string' } },
        },
      })
      .expect(400);

    expect(res.body.code).toBe('invalid-campaign');
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: '/contextSchema/properties/code/pattern',
          code: 'unsupported-regex',
        }),
        expect.objectContaining({
          path: '/contextSchema/properties/tags/propertyNames/pattern',
          code: 'unsupported-regex',
        }),
        expect.objectContaining({
          path: '/contextSchema/patternProperties/^(?<!x)y$',
          code: 'unsupported-regex',
        }),
      ]),
    );
    expect(res.body.errors).toHaveLength(3);
  });

  it('accepts a property that also matches a patternProperties pattern, without running the pattern on JavaScript', async () => {
    const { result, ms } = await timed(() =>
      h.api.post('/campaigns').send({
        ...orderShippedCampaign(),
        contextSchema: {
          type: 'object',
          properties: { [`${'a'.repeat(30)}!`]: { type: 'string' }, orderId: { type: 'string' } },
          patternProperties: { '^(a|a)*$': { type: 'number' } },
        },
      }),
    );

    expect(result.status).toBe(201);
    expect(ms).toBeLessThan(1000);
  });

  it('counts an audience whose $regex has overlapping alternatives over members with long almost-matching values', async () => {
    const almost = 'a'.repeat(28);
    for (const [email, code] of [
      ['match@shop.example', almost],
      ['near-1@shop.example', `${almost}!`],
      ['near-2@shop.example', `${almost}b`],
      ['empty@shop.example', ''],
    ] as const) {
      await h.api
        .post('/profiles')
        .send({ identities: [{ namespace: 'email', id: email }], attributes: { code } })
        .expect(201);
    }
    const audience = await h.api
      .post('/audiences')
      .send({ name: 'All a', kind: 'query', query: { 'attributes.code': { $regex: '^(a|a)*$' } } })
      .expect(201);

    const { result, ms } = await timed(() => h.api.get(`/audiences/${audience.body.id}/count`));

    expect(result.status).toBe(200);
    expect(result.body).toEqual({ count: 2 });
    expect(ms).toBeLessThan(1000);
  });

  it('refuses an audience $regex the linear-time engine cannot run, naming the rule', async () => {
    const res = await h.api
      .post('/audiences')
      .send({
        name: 'Look-ahead',
        kind: 'query',
        query: { $or: [{ 'attributes.code': { $regex: '^(?!a)' } }] },
      })
      .expect(400);

    expect(res.body).toMatchObject({
      code: 'invalid-audience-query',
      errors: [{ path: '/query/$or/0/attributes.code/$regex', code: 'unsupported-regex' }],
    });
  });
});
