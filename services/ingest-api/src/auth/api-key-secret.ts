import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new API key: 256 random bits, with a prefix that makes leaked keys easy to grep for. */
export function generateApiKey(): string {
  return `hrld_${randomBytes(32).toString('base64url')}`;
}

/** A new OAuth client id: public, 128 random bits as 32 hex digits (the shape of an IMS client id). */
export function generateClientId(): string {
  return randomBytes(16).toString('hex');
}

/** A new OAuth client secret: 256 random bits, prefixed like API keys so a leaked one is found. */
export function generateClientSecret(): string {
  return `hrldcs_${randomBytes(32).toString('base64url')}`;
}

/**
 * Keys and client secrets are stored and looked up only as their SHA-256; never the secret
 * itself. Unsalted is enough: they are 256 random bits, out of reach of any dictionary.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Compares two hashes without leaking, through timing, how much of them matches. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
