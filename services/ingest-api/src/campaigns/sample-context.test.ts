import { createUserSchemaAjv } from '../validation/ajv';
import { sampleFromSchema } from './sample-context';

describe('sampleFromSchema', () => {
  const ajv = createUserSchemaAjv();

  it('builds a value that validates against a schema using formats, bounds, enums and nesting', () => {
    const schema = {
      type: 'object',
      required: ['orderId', 'total', 'items'],
      additionalProperties: false,
      properties: {
        orderId: { type: 'string', pattern: '^ORD-[0-9]{4}-[A-Z]{2}$' },
        email: { type: 'string', format: 'email' },
        placedAt: { type: 'string', format: 'date-time' },
        trackingUrl: { type: 'string', format: 'uri' },
        code: { type: 'string', minLength: 20, maxLength: 24 },
        short: { type: 'string', maxLength: 3 },
        total: { type: 'number', exclusiveMinimum: 10, maximum: 100, multipleOf: 0.25 },
        quantity: { type: 'integer', minimum: 5 },
        status: { enum: ['shipped', 'delivered'] },
        gift: { type: 'boolean' },
        note: { type: ['string', 'null'] },
        items: {
          type: 'array',
          minItems: 2,
          items: {
            type: 'object',
            required: ['sku'],
            properties: { sku: { type: 'string' }, price: { type: 'number', minimum: 0 } },
          },
        },
        address: { $ref: '#/$defs/address' },
      },
      $defs: {
        address: { type: 'object', required: ['city'], properties: { city: { type: 'string' } } },
      },
    };
    const sample = sampleFromSchema(schema);
    const validate = ajv.compile(schema);
    expect({ valid: validate(sample), errors: validate.errors ?? null }).toEqual({
      valid: true,
      errors: null,
    });
    expect(sample).toMatchObject({
      orderId: 'ORD-1111-AA',
      email: 'jane.doe@example.com',
      status: 'shipped',
      quantity: 5,
      address: { city: 'sample-city' },
    });
    expect((sample as { items: unknown[] }).items).toHaveLength(2);
  });

  it('leaves optional properties out when asked to', () => {
    const schema = {
      type: 'object',
      required: ['a'],
      properties: { a: { type: 'string' }, b: { type: 'string' } },
    };
    expect(sampleFromSchema(schema, { optional: false })).toEqual({ a: 'sample-a' });
  });

  it('stops at a bounded depth on a recursive schema', () => {
    const schema = {
      type: 'object',
      required: ['child'],
      properties: { child: { $ref: '#' } },
    };
    expect(JSON.stringify(sampleFromSchema(schema)).length).toBeLessThan(200);
  });
});

describe('sampleFromSchema on hostile schemas', () => {
  it('stops building a schema whose properties all refer back to the root, quickly', () => {
    const properties = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`p${i}`, { $ref: '#' }]));
    const started = Date.now();
    const sample = sampleFromSchema({ type: 'object', properties });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(JSON.stringify(sample).length).toBeLessThan(1_000_000);
  });

  it('gives up on a pattern whose nested counted repeats would build a huge string', () => {
    expect(() =>
      sampleFromSchema({
        type: 'object',
        required: ['code'],
        properties: { code: { type: 'string', pattern: '^((a{10000}){10000}){10000}$' } },
      }),
    ).not.toThrow();
  });
});
