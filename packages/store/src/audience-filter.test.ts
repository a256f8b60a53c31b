import { ValidationError } from '@herald/errors';
import { compileAudienceQuery } from './audience-filter';

describe('compileAudienceQuery and regular expressions', () => {
  it.each([
    ['nested quantifiers', '^(a+)+$'],
    ['a starred group of stars', '(a*)*'],
  ])('refuses a $regex with %s as unsafe-regex, naming where it is', (_name, pattern) => {
    const refusal = catchError(() =>
      compileAudienceQuery({ $or: [{ 'attributes.s': { $regex: pattern } }] }),
    );

    expect(refusal).toBeInstanceOf(ValidationError);
    expect(refusal).toMatchObject({
      code: 'invalid-audience-query',
      errors: [{ path: '/query/$or/0/attributes.s/$regex', code: 'unsafe-regex' }],
    });
  });

  it.each([
    ['a lookahead', '^(?=a)a$'],
    ['a lookbehind', '(?<=a)b'],
    ['a numbered back-reference', '^(a)\\1$'],
    ['a named back-reference', '^(?<x>a)\\k<x>$'],
  ])('refuses a $regex with %s as unsupported-regex, naming where it is', (_name, pattern) => {
    const refusal = catchError(() =>
      compileAudienceQuery({ $and: [{ 'attributes.s': { $not: { $regex: pattern } } }] }),
    );

    expect(refusal).toMatchObject({
      code: 'invalid-audience-query',
      errors: [
        {
          path: '/query/$and/0/attributes.s/$not/$regex',
          code: 'unsupported-regex',
          message: expect.stringContaining('RE2'),
        },
      ],
    });
  });

  it.each(['^[A-Z]{2}-[0-9]+$', '^\\+?[0-9]{7,15}$', '@shop\\.example$'])(
    'accepts the ordinary pattern %s',
    (pattern) => {
      const query = { 'attributes.s': { $regex: pattern, $options: 'i' } };

      expect(compileAudienceQuery(query)).toEqual(query);
    },
  );
});

function catchError(run: () => unknown): unknown {
  try {
    run();
    return undefined;
  } catch (error) {
    return error;
  }
}
