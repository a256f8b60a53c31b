import type { CampaignVersion } from '@herald/contracts';
import { UnprocessableError } from '@herald/errors';
import { createUserSchemaAjv } from '../validation/ajv';
import { ContextValidators } from './context-validators';

const orderSchema = {
  type: 'object',
  required: ['orderId'],
  properties: { orderId: { type: 'string' } },
};
const codeSchema = {
  type: 'object',
  required: ['code'],
  properties: { code: { type: 'string' } },
};

/** A version as the store reads it: a new object on every read. */
function versionOf(
  version: number,
  contextSchema: Record<string, unknown>,
  sandbox = 'prod',
  campaignId = 'campaign-1',
): CampaignVersion {
  return {
    campaignId,
    sandbox,
    version,
    definition: {
      name: 'Order shipped',
      type: 'transactional',
      channel: 'email',
      channelConfig: { email: { fromAddress: 'shop@example.com' } },
      content: { defaultLocale: 'en', locales: { en: { subject: 'Shipped', text: 'Shipped' } } },
      contextSchema,
      identityNamespace: 'email',
      createProfiles: false,
    },
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('ContextValidators', () => {
  let compilers: number;
  // The real Ajv, counted: how many schemas were compiled is what the cache saves.
  const countedAjv = () => {
    compilers += 1;
    return createUserSchemaAjv();
  };
  beforeEach(() => (compilers = 0));

  it('gives every read of the same campaign version the same compiled validator, compiling it once', () => {
    const validators = new ContextValidators(countedAjv);

    const first = validators.for(versionOf(1, orderSchema));
    const again = validators.for(versionOf(1, orderSchema));

    expect(again).toBe(first);
    expect(compilers).toBe(1);
    expect(first({ orderId: 'A-1' })).toBe(true);
    expect(first({})).toBe(false);
  });

  it('compiles a new validator for a new version, which checks the new schema', () => {
    const validators = new ContextValidators(countedAjv);
    const v1 = validators.for(versionOf(1, orderSchema));

    const v2 = validators.for(versionOf(2, codeSchema));

    expect(v2).not.toBe(v1);
    expect(compilers).toBe(2);
    expect(v2({ code: 'X' })).toBe(true);
    expect(v2({ orderId: 'A-1' })).toBe(false);
    expect(validators.for(versionOf(1, orderSchema))).toBe(v1);
    expect(validators.for(versionOf(2, codeSchema))).toBe(v2);
    expect(compilers).toBe(2);
  });

  it('keeps the same campaign id and version of two sandboxes apart', () => {
    const validators = new ContextValidators(countedAjv);

    const inProd = validators.for(versionOf(1, orderSchema, 'prod'));
    const inDev = validators.for(versionOf(1, codeSchema, 'dev'));

    expect(inDev).not.toBe(inProd);
    expect(inDev({ code: 'X' })).toBe(true);
    expect(inProd({ code: 'X' })).toBe(false);
  });

  it('evicts the oldest version once full, and compiles it anew when it is asked for again', () => {
    const validators = new ContextValidators(countedAjv, 2);
    const evicted = validators.for(versionOf(1, orderSchema, 'prod', 'a'));
    const kept = validators.for(versionOf(1, orderSchema, 'prod', 'b'));
    validators.for(versionOf(1, orderSchema, 'prod', 'c'));
    expect(compilers).toBe(3);

    expect(validators.for(versionOf(1, orderSchema, 'prod', 'b'))).toBe(kept);
    expect(compilers).toBe(3);
    expect(validators.for(versionOf(1, orderSchema, 'prod', 'a'))).not.toBe(evicted);
    expect(compilers).toBe(4);
  });

  it('checks a context against a pattern with overlapping alternatives correctly, in linear time', () => {
    const validators = new ContextValidators(countedAjv);
    const validate = validators.for(
      versionOf(1, { type: 'object', properties: { code: { type: 'string', pattern: '^(a|a)*$' } } }),
    );

    const started = performance.now();
    const almost = validate({ code: `${'a'.repeat(30)}!` });
    const elapsed = performance.now() - started;

    expect(almost).toBe(false);
    expect(validate.errors).toEqual([expect.objectContaining({ instancePath: '/code', keyword: 'pattern' })]);
    // A guard only: JavaScript's RegExp took seconds on this value.
    expect(elapsed).toBeLessThan(1000);
    expect(validate({ code: 'a'.repeat(30) })).toBe(true);
  });

  it('answers invalid-context-schema for a stored schema whose pattern the linear-time engine cannot run', () => {
    const validators = new ContextValidators(countedAjv);
    const lookahead = { type: 'object', properties: { code: { type: 'string', pattern: '^(?=A)\\w+$' } } };

    const compile = () => validators.for(versionOf(1, lookahead));

    expect(compile).toThrow(UnprocessableError);
    expect(compile).toThrow(expect.objectContaining({ code: 'invalid-context-schema' }));
  });
});
