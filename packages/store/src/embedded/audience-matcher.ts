import type { Profile } from '@herald/contracts';
import { Context } from 'mingo/core';
import * as queryOperators from 'mingo/operators/query';
import { Query } from 'mingo/query';
import { AUDIENCE_QUERY_OPERATORS, compileAudienceQuery } from '../audience-filter';
import { compileUserPattern } from '../safe-regex';

/**
 * mingo's `$regex`, matching on RE2 instead of JavaScript's backtracking RegExp: a pattern such
 * as `^(a|a)*$` would otherwise freeze the API on a long almost-matching value. mingo hands the
 * operator a RegExp built from `$regex`/`$options` (built only, never run here) and calls
 * `exec` on it; only whether it matched counts.
 */
const linearRegex: typeof queryOperators.$regex = (selector, value, options) => {
  const regex = value instanceof RegExp ? value : new RegExp(String(value));
  const pattern = compileUserPattern(regex.source, regex.flags);
  const matcher = { exec: (input: string) => (pattern.test(input) ? [input] : null) };
  return queryOperators.$regex(selector, matcher, options);
};

/**
 * Only the operators audience queries allow are known to mingo here: whatever slipped past
 * validation (`$where`, `$expr`, `$function`…) fails to compile instead of running.
 */
const AUDIENCE_CONTEXT = Context.init({
  query: {
    ...Object.fromEntries(
      Object.entries(queryOperators).filter(([operator]) => AUDIENCE_QUERY_OPERATORS.has(operator)),
    ),
    $regex: linearRegex,
  },
});

/** The document an audience query sees: the shape MongoDB stores, dates as `Date`s. */
function audienceDocument(profile: Profile): Record<string, unknown> {
  return {
    identities: profile.identities,
    attributes: profile.attributes,
    ...(profile.preferredLanguage !== undefined ? { preferredLanguage: profile.preferredLanguage } : {}),
    ...(profile.timezone !== undefined ? { timezone: profile.timezone } : {}),
    consents: profile.consents,
    createdAt: new Date(profile.createdAt),
    updatedAt: new Date(profile.updatedAt),
  };
}

export function audienceMatcher(query: Record<string, unknown>): (profile: Profile) => boolean {
  const compiled = new Query(compileAudienceQuery(query), { context: AUDIENCE_CONTEXT });
  return (profile) => compiled.test(audienceDocument(profile));
}
