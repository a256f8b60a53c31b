import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TrackingClaims } from './claims';
import { decodeClaims, encodeClaims } from './claims-codec';

/**
 * First byte of every token. A new layout gets a new version, and verify refuses versions it does
 * not know, so the format can change while old links still point at the tracker.
 */
const FORMAT_VERSION = 1;

/**
 * HMAC-SHA256 truncated to 128 bits (RFC 2104 §5 and NIST SP 800-107 allow truncation): forging
 * one still takes about 2^128 guesses, each a request to the tracker, and the token, which goes
 * into every link, is 21 characters shorter than with the full 256 bits.
 */
const MAC_BYTES = 16;

export const MIN_TRACKING_KEY_LENGTH = 32;

/**
 * Above Node's default 16 KiB limit on a request's headers, so no token that can reach the tracker
 * is refused by length; it only bounds the work spent on garbage.
 */
const MAX_TOKEN_LENGTH = 16_384;

/**
 * Derives the MAC key from the configured secret, so a secret an operator also uses elsewhere
 * (say, to sign something else with HMAC-SHA256) never produces MACs that pass for tracking tokens.
 */
function macKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('herald tracking token').digest();
}

function mac(key: Buffer, signed: Buffer): Buffer {
  return createHmac('sha256', key).update(signed).digest().subarray(0, MAC_BYTES);
}

/**
 * Signed, URL-safe tracking tokens: base64url of version byte + claims (claims-codec.ts) + MAC.
 * Verification tries every key instead of carrying a key id, which keeps tokens a byte shorter
 * and costs one extra HMAC per key only on tokens the first key did not sign.
 */
export class TrackingTokens {
  private readonly signingKey: Buffer;
  private readonly verifyingKeys: readonly Buffer[];

  /** First key signs, every key verifies (rotation). Throws when empty or a key is under 32 chars. */
  constructor(keys: readonly string[]) {
    const [first] = keys;
    if (first === undefined) throw new Error('tracking tokens need at least one key');
    keys.forEach((key, index) => {
      if (key.length < MIN_TRACKING_KEY_LENGTH) {
        throw new Error(`tracking key ${index + 1} is shorter than ${MIN_TRACKING_KEY_LENGTH} characters`);
      }
    });
    this.signingKey = macKey(first);
    this.verifyingKeys = keys.map(macKey);
  }

  /** A URL-safe (base64url) token of the claims, signed with the first key (HMAC-SHA256). */
  sign(claims: TrackingClaims): string {
    const signed = Buffer.concat([Buffer.of(FORMAT_VERSION), encodeClaims(claims)]);
    return Buffer.concat([signed, mac(this.signingKey, signed)]).toString('base64url');
  }

  /** The token's claims; null when it is malformed, its signature is bad, or it expired before `nowSeconds`. */
  verify(token: string, nowSeconds: number = Math.floor(Date.now() / 1000)): TrackingClaims | null {
    if (token.length > MAX_TOKEN_LENGTH) return null;
    const bytes = Buffer.from(token, 'base64url');
    // Node skips characters outside the alphabet and ignores stray low bits of the last one, so
    // only the canonical spelling of the bytes is accepted: one token, one string.
    if (
      bytes.length <= 1 + MAC_BYTES ||
      bytes[0] !== FORMAT_VERSION ||
      bytes.toString('base64url') !== token
    ) {
      return null;
    }
    const signed = bytes.subarray(0, bytes.length - MAC_BYTES);
    const given = bytes.subarray(bytes.length - MAC_BYTES);
    if (!this.verifyingKeys.some((key) => timingSafeEqual(mac(key, signed), given))) return null;
    const claims = decodeClaims(signed.subarray(1));
    if (claims === null || nowSeconds > claims.expiresAt) return null;
    return claims;
  }
}
