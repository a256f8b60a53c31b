import { jsonLimitProblem, MAX_JSON_DEPTH, wellFormed } from './json-limits';

/** `levels` objects nested under `key`, the innermost holding `leaf`. */
function nested(levels: number, leaf: unknown = 1, key = 'a'): unknown {
  let value = leaf;
  for (let level = 0; level < levels; level += 1) value = { [key]: value };
  return value;
}

describe('jsonLimitProblem', () => {
  it('accepts a body nested exactly to the limit, scalars included', () => {
    expect(jsonLimitProblem(nested(MAX_JSON_DEPTH, 'leaf'))).toBeUndefined();
    expect(jsonLimitProblem({ list: [[1, 'two', null, true]], text: 'plain' })).toBeUndefined();
  });

  it('refuses one level more with the pointer of the first container too deep', () => {
    expect(jsonLimitProblem(nested(MAX_JSON_DEPTH + 1))).toEqual({
      code: 'json-too-deep',
      path: '/a'.repeat(MAX_JSON_DEPTH),
      message: `nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep`,
    });
    expect(jsonLimitProblem([[[[]]]], 3)).toMatchObject({ code: 'json-too-deep', path: '/0/0/0' });
  });

  it('walks a body nested 100,000 levels without overflowing the stack', () => {
    let deep: unknown = [];
    for (let level = 0; level < 100_000; level += 1) deep = [deep];
    expect(jsonLimitProblem({ recipients: [{ context: deep }] })).toMatchObject({
      code: 'json-too-deep',
      path: `/recipients/0/context${'/0'.repeat(MAX_JSON_DEPTH - 3)}`,
    });
  });

  it('reports the first problem in the order of the body', () => {
    const body = { first: { ok: 1, deep: nested(5) }, second: nested(9) };
    expect(jsonLimitProblem(body, 4)?.path).toBe('/first/deep/a/a');
    expect(jsonLimitProblem({ list: ['fine', 'x\udfff', 'y\ud800'] })?.path).toBe('/list/1');
  });

  it('refuses an unpaired surrogate in a value or a key, with the path of the field', () => {
    expect(jsonLimitProblem({ requestId: 'x\udfff' })).toEqual({
      code: 'invalid-unicode',
      path: '/requestId',
      message: expect.stringContaining('unpaired UTF-16 surrogate'),
    });
    expect(jsonLimitProblem({ context: { 'a/b~\ud800': 1 } })?.path).toBe('/context/a~1b~0\ud800');
    expect(jsonLimitProblem('\ud83d')).toMatchObject({ code: 'invalid-unicode', path: '/' });
  });

  it('accepts surrogate pairs (emoji and other astral characters)', () => {
    expect(jsonLimitProblem({ name: 'Ship 🚀 to 𝔸da', '🔑': ['\ud83d\ude00'] })).toBeUndefined();
  });
});

describe('jsonLimitProblem, numbers and member names', () => {
  it('refuses a number too large for a double (1e309 parses as Infinity), naming it', () => {
    expect(jsonLimitProblem(JSON.parse('{"context":{"total":1e309}}'))).toMatchObject({
      code: 'invalid-number',
      path: '/context/total',
    });
    expect(jsonLimitProblem(JSON.parse('{"a":[1,-1e400]}'))).toMatchObject({
      code: 'invalid-number',
      path: '/a/1',
    });
    expect(jsonLimitProblem(JSON.parse('{"a":1.7976931348623157e308}'))).toBeUndefined();
  });

  it('refuses a member named toString or valueOf, which schema comparisons would call', () => {
    const body = JSON.parse('{"pushTokens":[{},{"toString":""}]}');
    expect(jsonLimitProblem(body)).toMatchObject({ code: 'reserved-key', path: '/pushTokens/1/toString' });
    expect(jsonLimitProblem({ valueOf: 1 })).toMatchObject({ code: 'reserved-key', path: '/valueOf' });
    expect(jsonLimitProblem({ toStringish: 'x', value: 'y' })).toBeUndefined();
  });
});

describe('wellFormed', () => {
  it.each([
    ['', true],
    ['plain ascii', true],
    ['é 中 🚀', true],
    ['\ud800', false],
    ['\udfff', false],
    ['a\ud83db', false],
    ['\ude00\ud83d', false],
    ['end\ud83d', false],
  ])('%j is %s', (text, expected) => {
    expect(wellFormed(text)).toBe(expected);
  });
});
