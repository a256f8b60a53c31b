import { createHash, randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT, type JWTHeaderParameters } from 'jose';
import type { ApiCredential } from '@herald/store';
import { UnauthorizedError } from '@herald/errors';

/** What a verified access token says about its caller. */
export interface AccessTokenClaims {
  clientId: string;
  orgId: string;
  credentialId: string;
}

export interface IssuedAccessToken {
  token: string;
  expiresInSeconds: number;
}

const ISSUER = 'herald';
const ALGORITHM = 'HS256';

interface SigningKey {
  /** Names the key in the token header, so verification picks it instead of trying each. */
  kid: string;
  secret: Uint8Array;
}

/**
 * The access tokens of `POST /ims/token/v3`: HS256 JWTs, signed with the first configured key
 * and verified with any of them, so a key is rotated by putting the new one first and removing
 * the old one once the tokens it signed have expired. The token names its credential rather than
 * carrying roles: those are read from the credential when the token is used, so a revocation or
 * a change applies to tokens already out.
 */
export class AccessTokens {
  private readonly keys: readonly SigningKey[];

  constructor(
    signingKeys: readonly string[],
    private readonly ttlSeconds: number,
    /** Milliseconds since the epoch; tests pass one in the past to get expired tokens. */
    private readonly now: () => number = Date.now,
  ) {
    this.keys = signingKeys.map((key) => ({
      // A digest of the key, not the key: the header is readable by anyone holding a token.
      kid: createHash('sha256').update(key, 'utf8').digest('base64url').slice(0, 16),
      secret: new TextEncoder().encode(key),
    }));
  }

  /** False when no signing key is configured: no token is issued, and none verifies. */
  get enabled(): boolean {
    return this.keys.length > 0;
  }

  async issue(credential: ApiCredential, scope: string): Promise<IssuedAccessToken> {
    const signer = this.keys[0];
    if (!signer) throw new Error('No token signing key is configured (TOKEN_SIGNING_KEYS).');
    const issuedAt = Math.floor(this.now() / 1000);
    const token = await new SignJWT({
      client_id: credential.clientId,
      org_id: credential.orgId,
      credential_id: credential.id,
      scope,
    })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT', kid: signer.kid })
      .setIssuer(ISSUER)
      .setSubject(credential.clientId)
      .setJti(randomUUID())
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + this.ttlSeconds)
      .sign(signer.secret);
    return { token, expiresInSeconds: this.ttlSeconds };
  }

  /** Throws UnauthorizedError `token-expired` or `token-invalid`. */
  async verify(token: string): Promise<AccessTokenClaims> {
    try {
      const { payload } = await jwtVerify(token, (header) => this.keyFor(header), {
        issuer: ISSUER,
        algorithms: [ALGORITHM],
        requiredClaims: ['exp', 'iat', 'sub'],
        currentDate: new Date(this.now()),
      });
      const { client_id: clientId, org_id: orgId, credential_id: credentialId } = payload;
      if (typeof clientId !== 'string' || typeof orgId !== 'string' || typeof credentialId !== 'string') {
        throw new errors.JWTInvalid('missing Herald claims');
      }
      return { clientId, orgId, credentialId };
    } catch (error) {
      // jose checks the signature before the claims: only a genuine token is ever called expired.
      if (error instanceof errors.JWTExpired) {
        throw new UnauthorizedError('The access token has expired; request a new one.', 'token-expired');
      }
      if (error instanceof errors.JOSEError || error instanceof UnknownSigningKeyError) {
        throw new UnauthorizedError('The access token is not valid.', 'token-invalid');
      }
      throw error;
    }
  }

  private keyFor(header: JWTHeaderParameters): Uint8Array {
    const key = this.keys.find((candidate) => candidate.kid === header.kid);
    if (!key) throw new UnknownSigningKeyError();
    return key.secret;
  }
}

/** Signed with a key that is not (or no longer) in TOKEN_SIGNING_KEYS, or with none of ours. */
class UnknownSigningKeyError extends Error {}
