import { randomBytes, randomInt } from 'node:crypto';
import { BROWSER, startTrackerHarness, type TrackerHarness } from './tracker-harness.fixture';

/** Requests of the fuzz; a few thousand, run a few dozen at a time. */
const REQUESTS = 3000;
const PARALLEL = 25;
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Characters a mutation may insert: the token alphabet and what an attacker would try besides. */
const INSERTED = `${BASE64URL}=+.~%:@!$&'()*,;`;

function pick<T>(items: readonly T[]): T {
  return items[randomInt(items.length)] as T;
}

function randomText(alphabet: string, length: number): string {
  let text = '';
  for (let i = 0; i < length; i += 1) text += alphabet[randomInt(alphabet.length)];
  return text;
}

/** One random edit of a token: flip, insert, delete, swap, truncate, extend, re-case, re-encode. */
function mutate(token: string): string {
  const at = randomInt(token.length);
  const edits: Array<() => string> = [
    () => `${token.slice(0, at)}${pick([...BASE64URL])}${token.slice(at + 1)}`,
    () => `${token.slice(0, at)}${pick([...INSERTED])}${token.slice(at)}`,
    () => `${token.slice(0, at)}${token.slice(at + 1)}`,
    () => {
      const other = randomInt(token.length);
      const chars = [...token];
      [chars[at], chars[other]] = [chars[other] as string, chars[at] as string];
      return chars.join('');
    },
    () => token.slice(0, at),
    () => `${token}${randomText(BASE64URL, 1 + randomInt(8))}`,
    () => `${token.slice(0, at)}${token.slice(at).toUpperCase()}`,
    () => Buffer.from(token).toString('base64url'),
    () => `${token.slice(0, at)}%${randomBytes(1).toString('hex')}${token.slice(at)}`,
  ];
  return pick(edits)();
}

/** A path that is no valid link: a mutated token, random bytes, or an attempt at an open redirect. */
function fuzzPath(h: TrackerHarness, tokens: readonly string[]): string {
  const prefix = pick(['/c/', '/o/', '/m/', '/u/']);
  const kind = randomInt(10);
  if (kind < 6) {
    for (;;) {
      const mutated = mutate(pick(tokens));
      // Skips the rare edit that gives back a token the tracker rightly accepts (a swap of equal characters).
      if (!/^[A-Za-z0-9_-]+$/.test(mutated) || h.tokens.verify(mutated) === null)
        return `${prefix}${mutated}`;
    }
  }
  if (kind < 8) return `${prefix}${randomText(BASE64URL, randomInt(400))}`;
  if (kind < 9) return `${prefix}${encodeURIComponent(randomBytes(randomInt(1, 64)).toString('latin1'))}`;
  return pick([
    `${prefix}https:%2F%2Fevil.example.net`,
    `${prefix}%2F%2Fevil.example.net`,
    '//evil.example.net',
    '/c//evil.example.net/',
    '/c/..%2F..%2Fevil',
    `/%2e%2e${prefix}x`,
    `${prefix}\\evil.example.net`,
    `/c/?url=https://evil.example.net`,
    `/redirect?to=https://evil.example.net`,
  ]);
}

describe('tracker: fuzzed tokens and paths', () => {
  let h: TrackerHarness;
  beforeAll(async () => (h = await startTrackerHarness('fuzz')));
  afterAll(() => h.stop());

  it(`never redirects and records nothing for ${REQUESTS} tampered tokens and odd paths`, async () => {
    const delivery = await h.delivery({ address: 'reader@example.com' });
    const tokens = (['open', 'click', 'mirror', 'unsubscribe'] as const).map((action) =>
      h.tokens.sign(
        h.claims(
          action,
          delivery,
          action === 'click' ? { linkId: '0', url: 'https://shop.example.com/' } : {},
        ),
      ),
    );
    const paths = Array.from({ length: REQUESTS }, () => fuzzPath(h, tokens));
    const answers: Array<{ path: string; method: string; status: number; location: string | null }> = [];
    for (let start = 0; start < paths.length; start += PARALLEL) {
      answers.push(
        ...(await Promise.all(
          paths.slice(start, start + PARALLEL).map(async (path, index) => {
            const method = pick(['GET', 'GET', 'HEAD', 'POST']);
            const answer = await fetch(`${h.url}${path}`, {
              method,
              redirect: 'manual',
              headers: { 'user-agent': BROWSER },
              ...(method === 'POST' && index % 2 === 0
                ? {
                    body: 'List-Unsubscribe=One-Click',
                    headers: { 'content-type': 'application/x-www-form-urlencoded' },
                  }
                : {}),
            });
            await answer.arrayBuffer();
            return { path, method, status: answer.status, location: answer.headers.get('location') };
          }),
        )),
      );
    }
    const redirected = answers.filter(
      (answer) => answer.location !== null || (answer.status >= 300 && answer.status < 400),
    );
    expect(redirected).toEqual([]);
    expect(answers.filter((answer) => answer.status < 400 || answer.status >= 500)).toEqual([]);

    // A valid open last: once it is written, any event of the fuzz would be too.
    await fetch(`${h.url}/o/${tokens[0]}`, { headers: { 'user-agent': BROWSER } });
    expect(await h.recorded(delivery.executionId, 'opened')).toEqual([
      { group: null, kind: 'opened', machine: false, total: 1, unique: 1 },
    ]);
    expect(await h.store.suppressions.find('prod', 'email', 'reader@example.com')).toBeNull();
  });
});
