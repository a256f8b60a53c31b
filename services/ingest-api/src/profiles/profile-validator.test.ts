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

describe('ProfileValidator push tokens', () => {
  const validator = new ProfileValidator({ allowPrivatePushEndpoints: false });
  const withTokens = (pushTokens: unknown[]) => ({
    identities: [{ namespace: 'email', id: 'a@example.com' }],
    pushTokens,
  });
  const problemsOf = (pushTokens: unknown[]): unknown => {
    try {
      validator.parse(withTokens(pushTokens));
      return [];
    } catch (error) {
      return (error as { errors?: unknown }).errors;
    }
  };

  it('accepts an FCM token up to 4 KB and an APNs token of 64 hex digits, per app', () => {
    const tokens = [
      { appId: '1:1042:android:7b1e', platform: 'fcm', token: `fcm:${'x'.repeat(4092)}` },
      { appId: 'com.example.shop', platform: 'apns', token: 'a1'.repeat(32) },
      { appId: 'com.example.shop', platform: 'apnsSandbox', token: 'b2'.repeat(32) },
    ];
    expect(validator.parse(withTokens(tokens)).pushTokens).toEqual(tokens);
  });

  it('lower-cases APNs tokens, in one profile and in bulk, and leaves FCM tokens as given', () => {
    const tokens = [
      { appId: 'com.example.shop', platform: 'apns', token: 'A1'.repeat(32) },
      { appId: 'com.example.shop', platform: 'apnsSandbox', token: 'B2'.repeat(32) },
      { appId: '1:1042:android:7b1e', platform: 'fcm', token: 'Fcm:APA91bH-X' },
    ];
    const expected = [
      { ...tokens[0], token: 'a1'.repeat(32) },
      { ...tokens[1], token: 'b2'.repeat(32) },
      tokens[2],
    ];
    expect(validator.parse(withTokens(tokens)).pushTokens).toEqual(expected);
    const [bulk] = validator.parseBulk({ profiles: [withTokens(tokens)] });
    expect(bulk?.pushTokens).toEqual(expected);
  });

  it.each([
    [
      'an FCM token over 4 KB',
      { appId: 'a', platform: 'fcm', token: 'x'.repeat(4097) },
      '/pushTokens/0/token',
    ],
    ['an FCM token with spaces', { appId: 'a', platform: 'fcm', token: 'two words' }, '/pushTokens/0/token'],
    [
      'an APNs token that is not hex',
      { appId: 'a', platform: 'apns', token: 'zz'.repeat(32) },
      '/pushTokens/0/token',
    ],
    [
      'a short APNs token',
      { appId: 'a', platform: 'apnsSandbox', token: 'ab'.repeat(16) },
      '/pushTokens/0/token',
    ],
    ['an unknown platform', { appId: 'a', platform: 'web', token: 'x' }, '/pushTokens/0/platform'],
    [
      'an app id over 256 characters',
      { appId: 'a'.repeat(257), platform: 'fcm', token: 'x' },
      '/pushTokens/0/appId',
    ],
    ['a token without app', { platform: 'fcm', token: 'x' }, '/pushTokens/0/appId'],
  ])('refuses %s, naming the field', (_, token, path) => {
    expect(problemsOf([token])).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });
});
