import type { Profile } from '@herald/contracts';
import { audienceMatcher } from './audience-matcher';

function profile(id: string, code: unknown, email = `${id}@shop.example`): Profile {
  return {
    id,
    sandbox: 'prod',
    identities: [{ namespace: 'email', id: email }],
    attributes: { code },
    consents: { marketing: {} },
    pushSubscriptions: [],
    pushTokens: [],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

/** Ids of the profiles the query matches, and how long matching them all took. */
function run(query: Record<string, unknown>, profiles: Profile[]): { ids: string[]; ms: number } {
  const started = performance.now();
  const matches = audienceMatcher(query);
  const ids = profiles.filter(matches).map((p) => p.id);
  return { ids, ms: performance.now() - started };
}

describe('audienceMatcher and $regex', () => {
  // Each of these values takes JavaScript's backtracking RegExp seconds to refuse.
  const almost = 'a'.repeat(28);

  it('matches overlapping alternatives over long almost-matching values correctly and in linear time', () => {
    const profiles = [
      profile('match', almost),
      profile('near-1', `${almost}!`),
      profile('near-2', ['x', `${almost}b`]),
      profile('empty', ''),
    ];

    const { ids, ms } = run({ 'attributes.code': { $regex: '^(a|a)*$' } }, profiles);

    expect(ids).toEqual(['match', 'empty']);
    // A guard only: before RE2 this took seconds.
    expect(ms).toBeLessThan(1000);
  });

  it('keeps the meaning of $options, $not, $elemMatch and array fields on RE2', () => {
    const profiles = [
      profile('upper', 'ABC', 'Ada@SHOP.example'),
      profile('lower', 'abc'),
      profile('list', ['zzz', 'abc']),
      profile('lines', 'x\nabc'),
    ];

    expect(run({ 'attributes.code': { $regex: '^abc$', $options: 'i' } }, profiles).ids).toEqual([
      'upper',
      'lower',
      'list',
    ]);
    expect(run({ 'attributes.code': { $regex: '^abc$', $options: 'm' } }, profiles).ids).toEqual([
      'lower',
      'list',
      'lines',
    ]);
    expect(run({ 'attributes.code': { $not: { $regex: '^abc' } } }, profiles).ids).toEqual([
      'upper',
      'lines',
    ]);
    expect(run({ 'attributes.code': { $elemMatch: { $regex: '^z+$' } } }, profiles).ids).toEqual(['list']);
    expect(
      run({ identities: { $elemMatch: { id: { $regex: '@shop\\.example$', $options: 'i' } } } }, profiles)
        .ids,
    ).toEqual(['upper', 'lower', 'list', 'lines']);
  });
});
