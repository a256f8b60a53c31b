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

export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type';

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
 * The parameters of a token request. Like IMS, each may be in the form body or the query string
 * (the body is safer: query strings end up in logs); one given twice with different values, or
 * repeated, is refused.
 */
export function tokenParameters(body: unknown, query: unknown): TokenParameters {
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
  return parameters;
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
    const credential = await this.credentials.findByClientId(clientId);
    // Unknown client and wrong secret are told apart by no one: the answer is the same.
    if (!credential || !constantTimeEqual(credential.secretHash, hashApiKey(secret))) {
      throw new OAuthError('invalid_client', 'Invalid client_id or client_secret.');
    }
    const issued = await this.tokens.issue(credential, scope);
    return { access_token: issued.token, token_type: 'bearer', expires_in: issued.expiresInSeconds };
  }
}
