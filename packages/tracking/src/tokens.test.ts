import type { TrackingClaims } from './claims';
import { LINK_LIFETIME_SECONDS } from './claims';
import { decodeClaims, encodeClaims } from './claims-codec';
import { TrackingTokens } from './tokens';

const KEY_A = 'a'.repeat(32);
const KEY_B = 'tracking-key-b-0123456789abcdef-0123';
const NOW = 1_765_140_000;

const click: TrackingClaims = {
  action: 'click',
  sandbox: 'prod',
  campaignId: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
  executionId: '0193a1b2-c3d4-7e5f-9a9b-0c1d2e3f4a5c',
  deliveryId: '0193a1b2-c3d4-7e5f-9a9b-0c1d2e3f4a5c-r12',
  channel: 'email',
  issuedAt: NOW,
  expiresAt: NOW + LINK_LIFETIME_SECONDS,
  locale: 'fr-FR',
  linkId: '3',
  label: 'hero',
  url: 'https://shop.example.com/spring?utm_source=herald&x=%C3%A9',
};

/** A deterministic generator (mulberry32), so a failing fuzz case can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('TrackingTokens', () => {
  const tokens = new TrackingTokens([KEY_A]);

  it('gives back the signed claims, from a URL-safe token', () => {
    const token = tokens.sign(click);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(tokens.verify(token, NOW)).toEqual(click);
  });

  it('round-trips claims without the optional fields and with ids that are not UUIDs', () => {
    const claims: TrackingClaims = {
      action: 'unsubscribe',
      sandbox: '',
      campaignId: 'campaign with spaces & ünïcödé 🎉',
      executionId: 'E0193A1B2-C3D4-7E5F-9A9B-0C1D2E3F4A5C',
      deliveryId: 'not-prefixed-by-the-execution',
      channel: 'sms',
      issuedAt: 0,
      expiresAt: 0xffffffff,
    };
    const decoded = tokens.verify(tokens.sign(claims), 0);
    expect(decoded).toEqual(claims);
    expect(Object.keys(decoded ?? {})).not.toContain('locale');
  });

  it('round-trips every action and channel, and empty optional strings', () => {
    for (const action of ['open', 'click', 'mirror', 'unsubscribe'] as const) {
      for (const channel of ['email', 'sms', 'push'] as const) {
        const claims: TrackingClaims = { ...click, action, channel, label: '', locale: '' };
        expect(tokens.verify(tokens.sign(claims), NOW)).toEqual(claims);
      }
    }
  });

  it('keeps a click token with UUID ids and a typical URL under 200 characters', () => {
    expect(tokens.sign(click).length).toBeLessThan(200);
  });

  it('refuses a token with any bit of any byte flipped', () => {
    const bytes = Buffer.from(tokens.sign(click), 'base64url');
    const tampered: string[] = [];
    for (let index = 0; index < bytes.length; index += 1) {
      for (let bit = 0; bit < 8; bit += 1) {
        const flipped = Buffer.from(bytes);
        flipped[index] = (flipped[index] ?? 0) ^ (1 << bit);
        tampered.push(flipped.toString('base64url'));
      }
    }
    expect(tampered).toHaveLength(bytes.length * 8);
    expect(tampered.filter((token) => tokens.verify(token, NOW) !== null)).toEqual([]);
  });

  it('refuses a token with any character replaced, removed or added', () => {
    const token = tokens.sign(click);
    const tampered: string[] = [];
    for (let index = 0; index < token.length; index += 1) {
      for (const char of BASE64URL) {
        if (char !== token[index]) tampered.push(token.slice(0, index) + char + token.slice(index + 1));
      }
      tampered.push(token.slice(0, index) + token.slice(index + 1));
      tampered.push(`${token.slice(0, index)}A${token.slice(index)}`);
    }
    for (const suffix of ['A', '=', '==', '.', ' ', '\n', '%00']) tampered.push(token + suffix);
    expect(tampered.filter((candidate) => tokens.verify(candidate, NOW) !== null)).toEqual([]);
  });

  it('accepts a token until its expiry second and refuses it after', () => {
    const token = tokens.sign(click);
    expect(tokens.verify(token, click.expiresAt)).toEqual(click);
    expect(tokens.verify(token, click.expiresAt + 1)).toBeNull();
  });

  it('verifies with the current time when none is given', () => {
    const now = Math.floor(Date.now() / 1000);
    const live = tokens.sign({ ...click, issuedAt: now - 60, expiresAt: now + 3600 });
    const expired = tokens.sign({ ...click, issuedAt: now - 7200, expiresAt: now - 3600 });
    expect(tokens.verify(live)).not.toBeNull();
    expect(tokens.verify(expired)).toBeNull();
  });

  it('signs with the first key and verifies with every key, so keys can be rotated', () => {
    const oldOnly = new TrackingTokens([KEY_A]);
    const rotated = new TrackingTokens([KEY_B, KEY_A]);
    const newOnly = new TrackingTokens([KEY_B]);
    const oldToken = oldOnly.sign(click);
    const newToken = rotated.sign(click);
    expect(rotated.verify(oldToken, NOW)).toEqual(click);
    expect(newOnly.verify(newToken, NOW)).toEqual(click);
    expect(oldOnly.verify(newToken, NOW)).toBeNull();
    expect(newOnly.verify(oldToken, NOW)).toBeNull();
  });

  it('refuses to start without a key or with a key under 32 characters', () => {
    expect(() => new TrackingTokens([])).toThrow('at least one key');
    expect(() => new TrackingTokens([KEY_A, 'x'.repeat(31)])).toThrow('tracking key 2 is shorter than 32');
  });

  it('refuses to sign times that are not whole Unix seconds', () => {
    expect(() => tokens.sign({ ...click, issuedAt: 1.5 })).toThrow(RangeError);
    expect(() => tokens.sign({ ...click, expiresAt: -1 })).toThrow(RangeError);
    expect(() => tokens.sign({ ...click, expiresAt: 2 ** 32 })).toThrow(RangeError);
  });

  it('never verifies nor throws on random strings and randomly mutated tokens', () => {
    const random = seededRandom(13);
    const pick = (alphabet: string): string => alphabet[Math.floor(random() * alphabet.length)] ?? '';
    const token = tokens.sign(click);
    const otherTokens = new TrackingTokens([KEY_B]);
    const verified: string[] = [];
    for (let round = 0; round < 5000; round += 1) {
      let candidate = '';
      const kind = round % 4;
      if (kind === 0) {
        const length = Math.floor(random() * 300);
        for (let i = 0; i < length; i += 1) candidate += pick(BASE64URL);
      } else if (kind === 1) {
        const length = Math.floor(random() * 100);
        for (let i = 0; i < length; i += 1) candidate += String.fromCharCode(Math.floor(random() * 0x10000));
      } else if (kind === 2) {
        const chars = [...token];
        const mutations = 1 + Math.floor(random() * 4);
        for (let m = 0; m < mutations; m += 1) {
          const at = Math.floor(random() * chars.length);
          const op = Math.floor(random() * 3);
          if (op === 0) chars[at] = pick(BASE64URL);
          else if (op === 1) chars.splice(at, 1);
          else chars.splice(at, 0, pick(BASE64URL));
        }
        candidate = chars.join('');
        if (candidate === token) continue;
      } else {
        // Validly framed (right version byte, right length) but signed with another key.
        candidate = otherTokens.sign({ ...click, linkId: String(round) });
      }
      // A throw fails the test as well.
      if (tokens.verify(candidate, NOW) !== null) verified.push(candidate);
    }
    expect(verified).toEqual([]);
  });
});

describe('claims codec', () => {
  it('decodes what it encodes and nothing longer or shorter', () => {
    const bytes = encodeClaims(click);
    expect(decodeClaims(bytes)).toEqual(click);
    expect(decodeClaims(Buffer.concat([bytes, Buffer.of(0)]))).toBeNull();
    for (let length = 0; length < bytes.length; length += 1) {
      expect(decodeClaims(bytes.subarray(0, length))).toBeNull();
    }
  });

  it('never throws on random bytes', () => {
    const random = seededRandom(7);
    let decoded = 0;
    for (let round = 0; round < 5000; round += 1) {
      const bytes = Buffer.alloc(Math.floor(random() * 120));
      for (let i = 0; i < bytes.length; i += 1) bytes[i] = Math.floor(random() * 256);
      decoded += 1;
      decodeClaims(bytes);
    }
    expect(decoded).toBe(5000);
  });

  it('refuses an unknown action or channel when signing', () => {
    expect(() => encodeClaims({ ...click, action: 'bounce' as TrackingClaims['action'] })).toThrow(
      'unknown tracking action',
    );
    expect(() => encodeClaims({ ...click, channel: 'fax' as TrackingClaims['channel'] })).toThrow(
      'unknown tracking channel',
    );
  });
});
