import { createHash, randomBytes } from 'node:crypto';

/** A new API key: 256 random bits, with a prefix that makes leaked keys easy to grep for. */
export function generateApiKey(): string {
  return `hrld_${randomBytes(32).toString('base64url')}`;
}

/** Keys are stored and looked up only as their SHA-256; the key itself is never stored. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
