import type { ApiCredentialRepository } from '@herald/store';
import type { AccessTokens } from '../auth/access-tokens';
import { constantTimeEqual, hashApiKey } from '../auth/api-key-secret';

/** The answer of a token request, in the OAuth 2.0 (RFC 6749 §5.1) shape IMS uses. */
export interface TokenAnswer {
  access_token: string;
  token_type: 'bearer';
  /** Seconds. */
  expires_in: number;
}

export type OAuthErrorCode =
  'invalid_request' | 'invalid_client' | 'invalid_scope' | 'unsupported_grant_type';

/**
 * A refused token request, answered in the OAuth 2.0 shape (`{error, error_description}`, RFC 6749
 * §5.2) rather than as a problem: OAuth client libraries read that shape.
 */
export class OAuthError extends Error {
  readonly status: 400 | 401;
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
  ) {
    super(description);
    this.status = error === 'invalid_client' ? 401 : 400;
  }
}

const PARAMETERS = ['grant_type', 'client_id', 'client_secret', 'scope'] as const;
type TokenParameters = Partial<Record<(typeof PARAMETERS)[number], string>>;

/**
 * The largest token request body: four short parameters need far less, and a bound this small
 * keeps an unauthenticated caller from making the API parse megabytes.
 */
export const TOKEN_REQUEST_MAX_BYTES = 8 * 1024;

/**
 * The longest `scope` taken: it is copied into the token, which a caller must not be able to
 * inflate (the form body is bounded too, but the query string is not).
 */
export const MAX_SCOPE_LENGTH = 1024;

/**
 * The parameters of a token request. Like IMS, each may be in the form body or the query string,
 * except `client_secret`: credentials never go in a URL, which proxies and access logs record
 * (RFC 6749 §2.3.1). One given twice with different values, or repeated, is refused. The client
 * may instead authenticate with HTTP Basic (`authorization`, RFC 6749 §2.3.1), the default of many
 * OAuth libraries; then no `client_secret` parameter may be sent as well.
 */
export function tokenParameters(body: unknown, query: unknown, authorization?: string): TokenParameters {
  if (valueIn(query, 'client_secret') !== undefined) {
    throw new OAuthError('invalid_request', 'client_secret must not be sent in the query string.');
  }
  const parameters: TokenParameters = {};
  for (const name of PARAMETERS) {
    const values = [valueIn(body, name), valueIn(query, name)].filter((value) => value !== undefined);
    const [first] = values;
    if (first === undefined) continue;
    if (values.some((value) => typeof value !== 'string' || value !== first) || typeof first !== 'string') {
      throw new OAuthError('invalid_request', `${name} is given more than once.`);
    }
    parameters[name] = first;
  }
  const basic = basicCredentials(authorization);
  if (basic === undefined) return parameters;
  if (parameters.client_secret !== undefined) {
    throw new OAuthError('invalid_request', 'Send the client credentials once: in Basic or in the body.');
  }
  if (parameters.client_id !== undefined && parameters.client_id !== basic.clientId) {
    throw new OAuthError('invalid_request', 'client_id differs from the one in Basic authentication.');
  }
  return { ...parameters, client_id: basic.clientId, client_secret: basic.secret };
}

/**
 * The client id and secret of an `Authorization: Basic` header; each is form-urlencoded before
 * the base64 (RFC 6749 §2.3.1). Undefined for no header or another scheme.
 */
function basicCredentials(
  authorization: string | undefined,
): { clientId: string; secret: string } | undefined {
  const match = /^basic +(\S+) *$/i.exec(authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const formDecode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
  try {
    if (colon > 0 && colon < decoded.length - 1) {
      return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
    }
  } catch {
    // A malformed %-escape: refused below like a header without client_id:client_secret.
  }
  throw new OAuthError('invalid_request', 'Basic authentication must carry client_id:client_secret.');
}

function valueIn(source: unknown, name: string): unknown {
  if (typeof source !== 'object' || source === null) return undefined;
  const value: unknown = (source as Record<string, unknown>)[name];
  return value === '' ? undefined : value;
}

/**
 * `POST /ims/token/v3` with the client-credentials grant: an API credential's client id and
 * secret become an access token (a signed JWT naming the credential).
 */
export class ImsTokenService {
  constructor(
    private readonly credentials: ApiCredentialRepository,
    private readonly tokens: AccessTokens,
  ) {}

  /** False when TOKEN_SIGNING_KEYS is unset. */
  get enabled(): boolean {
    return this.tokens.enabled;
  }

  /** Throws OAuthError for a request IMS would refuse. */
  async issue(parameters: TokenParameters): Promise<TokenAnswer> {
    const { grant_type: grantType, client_id: clientId, client_secret: secret, scope = '' } = parameters;
    if (grantType === undefined) throw new OAuthError('invalid_request', 'grant_type is required.');
    if (grantType !== 'client_credentials') {
      throw new OAuthError('unsupported_grant_type', 'Only grant_type=client_credentials is supported.');
    }
    if (clientId === undefined || secret === undefined) {
      throw new OAuthError('invalid_client', 'client_id and client_secret are required.');
    }
    if (scope.length > MAX_SCOPE_LENGTH) {
      throw new OAuthError('invalid_scope', `scope is longer than ${String(MAX_SCOPE_LENGTH)} characters.`);
    }
    const credential = await this.credentials.findByClientId(clientId);
    // Unknown client and wrong secret are told apart by no one: the answer is the same.
    if (!credential || !constantTimeEqual(credential.secretHash, hashApiKey(secret))) {
      throw new OAuthError('invalid_client', 'Invalid client_id or client_secret.');
    }
    const issued = await this.tokens.issue(credential, scope);
    return { access_token: issued.token, token_type: 'bearer', expires_in: issued.expiresInSeconds };
  }
}
