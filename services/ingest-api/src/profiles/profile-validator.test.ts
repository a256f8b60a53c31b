import { createECDH, randomBytes } from 'node:crypto';
import { ProfileValidator } from './profile-validator';

function subscription(endpoint: string): Record<string, unknown> {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return {
    endpoint,
    keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') },
  };
}

function profileWith(endpoint: string): Record<string, unknown> {
  return {
    identities: [{ namespace: 'email', id: 'a@example.com' }],
    pushSubscriptions: [subscription(endpoint)],
  };
}

describe('ProfileValidator push endpoints', () => {
  const strict = new ProfileValidator({ allowPrivatePushEndpoints: false });
  const lenient = new ProfileValidator({ allowPrivatePushEndpoints: true });

  it.each(['http://127.0.0.1:9999/push', 'https://localhost/push', 'https://[::1]/push'])(
    'accepts %s only when private push endpoints are allowed',
    (endpoint) => {
      expect(() => strict.parse(profileWith(endpoint))).toThrow('The profile is invalid.');
      expect(lenient.parse(profileWith(endpoint)).pushSubscriptions).toHaveLength(1);
    },
  );

  it('accepts a public https endpoint under either policy', () => {
    expect(strict.parse(profileWith('https://fcm.googleapis.com/fcm/send/x')).pushSubscriptions).toHaveLength(
      1,
    );
  });

  it('refuses schemes other than http(s) even when private endpoints are allowed', () => {
    expect(() => lenient.parse(profileWith('ftp://push.example.com/x'))).toThrow('The profile is invalid.');
  });

  it('refuses a host name that is a private literal with a trailing dot', () => {
    expect(() => strict.parse(profileWith('https://localhost./push'))).toThrow('The profile is invalid.');
  });
});
