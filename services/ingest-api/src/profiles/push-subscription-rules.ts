import { ECDH } from 'node:crypto';
import type { FieldError } from '@herald/errors';
import { AUTH_SECRET_PATTERN, P256DH_PATTERN } from './profile.schema';
import { isPrivateHost } from '@herald/channels';

export interface PushEndpointPolicy {
  /** Accept `http:` and loopback/private hosts: for development and tests only. */
  allowPrivatePushEndpoints: boolean;
}

const P256DH = new RegExp(P256DH_PATTERN);
const AUTH_SECRET = new RegExp(AUTH_SECRET_PATTERN);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the schema cannot express: what the endpoint points at, and what the keys decode to. */
export function pushSubscriptionProblems(
  subscription: unknown,
  path: string,
  policy: PushEndpointPolicy,
): FieldError[] {
  if (!isRecord(subscription)) return [];
  const problems: FieldError[] = [];
  if (typeof subscription.endpoint === 'string') {
    const problem = endpointProblem(subscription.endpoint, policy);
    if (problem) problems.push({ path: `${path}/endpoint`, ...problem });
  }
  if (isRecord(subscription.keys)) {
    const { p256dh, auth } = subscription.keys;
    if (typeof p256dh === 'string' && P256DH.test(p256dh) && !isP256PublicKey(p256dh)) {
      problems.push({
        path: `${path}/keys/p256dh`,
        code: 'invalid-key',
        message: 'must be an uncompressed P-256 public key (65 bytes starting 0x04, on the curve)',
      });
    }
    if (typeof auth === 'string' && AUTH_SECRET.test(auth) && !isCanonicalBase64Url(auth, 16)) {
      problems.push({
        path: `${path}/keys/auth`,
        code: 'invalid-key',
        message: 'must be the base64url encoding of 16 bytes',
      });
    }
  }
  return problems;
}

function endpointProblem(
  endpoint: string,
  policy: PushEndpointPolicy,
): Pick<FieldError, 'code' | 'message'> | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return { code: 'format', message: 'must be an absolute URL' };
  }
  if (policy.allowPrivatePushEndpoints) {
    return url.protocol === 'https:' || url.protocol === 'http:'
      ? undefined
      : { code: 'https-required', message: 'must be an http(s) URL' };
  }
  if (url.protocol !== 'https:') return { code: 'https-required', message: 'must be an https URL' };
  if (isPrivateHost(url.hostname)) {
    return { code: 'private-address', message: 'must not point at a loopback, private or link-local host' };
  }
  return undefined;
}

function isP256PublicKey(encoded: string): boolean {
  const bytes = Buffer.from(encoded, 'base64url');
  if (bytes.length !== 65 || bytes[0] !== 0x04 || !isCanonicalBase64Url(encoded, 65)) return false;
  try {
    // Converting fails for bytes that are not a point on the curve: web-push could never use them.
    ECDH.convertKey(bytes, 'prime256v1');
    return true;
  } catch {
    return false;
  }
}

/** Node decodes base64url leniently (stray bits ignored): re-encoding proves the text is exact. */
function isCanonicalBase64Url(encoded: string, byteLength: number): boolean {
  const bytes = Buffer.from(encoded, 'base64url');
  return bytes.length === byteLength && bytes.toString('base64url') === encoded;
}
