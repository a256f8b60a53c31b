import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { ConfigError } from '@herald/errors';

/**
 * APNs refuses a provider token older than an hour, and answers TooManyProviderTokenUpdates to a
 * sender that changes it more often than every 20 minutes: 40 minutes sits safely between.
 */
const TOKEN_LIFETIME_MS = 40 * 60 * 1000;

/** The ES256 provider token (JWT `{iss: teamId, iat}`, header `{alg, kid}`), signed once per 40 minutes. */
export class ApnsProviderToken {
  private readonly key: KeyObject;
  private current: { jwt: string; issuedAt: number } | undefined;

  constructor(
    private readonly teamId: string,
    private readonly keyId: string,
    privateKey: string,
    private readonly now: () => number = Date.now,
  ) {
    try {
      this.key = createPrivateKey(privateKey);
    } catch (error) {
      throw new ConfigError(`invalid APNs private key: ${(error as Error).message}`);
    }
    if (this.key.asymmetricKeyType !== 'ec' || this.key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new ConfigError('the APNs private key must be an EC P-256 key (the .p8 file Apple gives)');
    }
  }

  get(): string {
    const now = this.now();
    if (!this.current || now - this.current.issuedAt >= TOKEN_LIFETIME_MS) {
      this.current = { jwt: this.sign(now), issuedAt: now };
    }
    return this.current.jwt;
  }

  /**
   * APNs refused `jwt` as invalid or expired: sign a new one, unless another send has already
   * replaced it (concurrent refusals of one token must cause one refresh, not many).
   */
  refresh(jwt: string): string {
    if (this.current?.jwt === jwt) this.current = undefined;
    return this.get();
  }

  private sign(now: number): string {
    const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const signed = `${encode({ alg: 'ES256', kid: this.keyId })}.${encode({ iss: this.teamId, iat: Math.floor(now / 1000) })}`;
    const signature = sign('sha256', Buffer.from(signed), { key: this.key, dsaEncoding: 'ieee-p1363' });
    return `${signed}.${signature.toString('base64url')}`;
  }
}
