import { patternSample } from './pattern-sample';

describe('patternSample', () => {
  it.each([
    ['^[A-Z]{3}-\\d{2,4}$', 'AAA-11'],
    ['^(?:fr|en)_[a-z]+$', 'fr_a'],
    ['^[^\\r\\n]*$', ''],
    ['^\\+?[0-9]{6,15}$', '111111'],
  ])('generates a string matching %s', (pattern, expected) => {
    expect(patternSample(pattern)).toBe(expected);
  });

  it('gives up on patterns it cannot follow', () => {
    expect(patternSample('^(?=.*[a-z]).{8}$')).toBeUndefined();
    expect(patternSample('^(a)\\1$')).toBeUndefined();
  });
});
