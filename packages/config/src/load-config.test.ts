import path from 'node:path';
import { ConfigError } from '@herald/errors';
import { loadConfig } from './load-config';

describe('loadConfig', () => {
  it('gives every setting a working default on one machine', () => {
    const config = loadConfig({}, '/srv/herald');
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.store.url).toBe(path.join('/srv/herald/.data', 'herald.sqlite'));
    expect(config.outbox.dir).toBe('/srv/herald/.data/outbox');
    expect(config.api).toMatchObject({ host: '127.0.0.1', port: 8080, maxRecipients: 20 });
    expect(config.worker.queues).toEqual(['email', 'sms', 'push']);
  });

  it('reads and converts the variables it knows', () => {
    const config = loadConfig(
      {
        API_PORT: '9090',
        WORKER_QUEUES: 'email,sms,email',
        STORE_URL: 'mongodb://db:27017/herald',
        OUTBOX_DIR: 'out',
        LOG_LEVEL: 'debug',
      },
      '/srv',
    );
    expect(config.api.port).toBe(9090);
    expect(config.worker.queues).toEqual(['email', 'sms']);
    expect(config.store.url).toBe('mongodb://db:27017/herald');
    expect(config.outbox.dir).toBe('/srv/out');
    expect(config.log.level).toBe('debug');
  });

  it('keeps Bull Board read-only unless BULL_BOARD_READ_ONLY is false', () => {
    expect(loadConfig({}).api.bullBoardReadOnly).toBe(true);
    expect(loadConfig({ BULL_BOARD_READ_ONLY: 'false' }).api.bullBoardReadOnly).toBe(false);
    expect(() => loadConfig({ BULL_BOARD_READ_ONLY: 'sometimes' })).toThrow(/BULL_BOARD_READ_ONLY/);
  });

  it('keeps idle API connections open longer than common load balancers do, within bounds', () => {
    expect(loadConfig({}).api.keepAliveTimeoutMs).toBe(65_000);
    expect(loadConfig({ API_KEEP_ALIVE_TIMEOUT_MS: '5000' }).api.keepAliveTimeoutMs).toBe(5000);
    expect(() => loadConfig({ API_KEEP_ALIVE_TIMEOUT_MS: '999' })).toThrow(/API_KEEP_ALIVE_TIMEOUT_MS/);
    expect(() => loadConfig({ API_KEEP_ALIVE_TIMEOUT_MS: '120001' })).toThrow(/API_KEEP_ALIVE_TIMEOUT_MS/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ API_PORT: '' }).api.port).toBe(8080);
  });

  it('lists every bad value in one error', () => {
    let caught: unknown;
    try {
      loadConfig({ API_PORT: 'eighty', REDIS_URL: 'http://x', WORKER_QUEUES: 'fax', LOG_LEVEL: 'loud' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.errors.map((problem) => problem.path).sort()).toEqual([
      'API_PORT',
      'LOG_LEVEL',
      'REDIS_URL',
      'WORKER_QUEUES',
    ]);
    expect(error.message).toContain('API_PORT');
    expect(error.message).toContain('"eighty"');
  });

  it('never repeats the value of HERALD_ADMIN_KEY in its error', () => {
    expect(() => loadConfig({ HERALD_ADMIN_KEY: 'short-secret' })).toThrow(/HERALD_ADMIN_KEY/);
    expect(() => loadConfig({ HERALD_ADMIN_KEY: 'short-secret' })).not.toThrow(/short-secret/);
  });

  it('leaves tracking off without TRACKING_KEYS, and points links at the local tracker by default', () => {
    const config = loadConfig({ TRACKER_PORT: '3200' });
    expect(config.tracking).toEqual({ keys: [], publicUrl: 'http://localhost:3200' });
    expect(config.tracker).toEqual({ host: '127.0.0.1', port: 3200 });
  });

  it('reads the tracking keys in order and the public URL without its trailing slash', () => {
    const first = 'a'.repeat(32);
    const second = 'b'.repeat(40);
    const config = loadConfig({
      TRACKING_KEYS: `${first},${second}`,
      TRACKER_PUBLIC_URL: 'https://t.example.com/herald/',
    });
    expect(config.tracking).toEqual({ keys: [first, second], publicUrl: 'https://t.example.com/herald' });
  });

  it('requires the public tracker URL in production once links are signed, so no message links to localhost', () => {
    const key = 'k'.repeat(40);
    expect(() => loadConfig({ NODE_ENV: 'production', TRACKING_KEYS: key })).toThrow(/TRACKER_PUBLIC_URL/);
    expect(
      loadConfig({ NODE_ENV: 'production', TRACKING_KEYS: key, TRACKER_PUBLIC_URL: 'https://t.example.com' })
        .tracking.publicUrl,
    ).toBe('https://t.example.com');
    expect(loadConfig({ NODE_ENV: 'development', TRACKING_KEYS: key }).tracking.publicUrl).toBe(
      'http://localhost:3100',
    );
  });

  it('refuses a short tracking key without repeating it, and a tracker URL with a query', () => {
    expect(() => loadConfig({ TRACKING_KEYS: 'short-tracking-secret' })).toThrow(/TRACKING_KEYS/);
    expect(() => loadConfig({ TRACKING_KEYS: 'short-tracking-secret' })).not.toThrow(/short-tracking/);
    expect(() => loadConfig({ TRACKER_PUBLIC_URL: 'https://t.example.com/?x=1' })).toThrow(
      /TRACKER_PUBLIC_URL/,
    );
    expect(() => loadConfig({ TRACKER_PUBLIC_URL: 'ftp://t.example.com' })).toThrow(/TRACKER_PUBLIC_URL/);
  });

  it('returns a frozen object', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.api)).toBe(true);
  });

  it('uses the outbox for every channel unless a provider is chosen', () => {
    const { providers } = loadConfig({});
    expect([providers.email.kind, providers.sms.kind, providers.push.kind]).toEqual([
      'outbox',
      'outbox',
      'outbox',
    ]);
    expect(providers.rateLimitPerSecond).toEqual({ email: 0, sms: 0, push: 0 });
  });

  it('reads the chosen providers with their settings', () => {
    const { providers } = loadConfig({
      EMAIL_PROVIDER: 'sendgrid',
      SENDGRID_API_KEY: 'SG.key',
      SENDGRID_API_URL: 'http://127.0.0.1:9000',
      SMS_PROVIDER: 'twilio',
      TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: 'token',
      EMAIL_RATE_LIMIT_PER_SECOND: '600',
    });
    expect(providers.email).toEqual({
      kind: 'sendgrid',
      apiKey: 'SG.key',
      apiUrl: 'http://127.0.0.1:9000',
      maxBatchSize: 100,
      batchWindowMs: 2,
    });
    expect(providers.sms).toMatchObject({ kind: 'twilio', apiUrl: 'https://api.twilio.com' });
    expect(providers.rateLimitPerSecond.email).toBe(600);
  });

  it('refuses a Twilio status callback URL whose host has an underscore, as Twilio does', () => {
    const twilio = {
      SMS_PROVIDER: 'twilio',
      TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: 'token',
    };
    expect(() =>
      loadConfig({ ...twilio, TWILIO_STATUS_CALLBACK_URL: 'https://api_1.example.com/webhooks/twilio' }),
    ).toThrow(/TWILIO_STATUS_CALLBACK_URL/);
    expect(
      loadConfig({ ...twilio, TWILIO_STATUS_CALLBACK_URL: 'https://api-1.example.com:8443/webhooks/twilio' })
        .providers.sms,
    ).toMatchObject({ statusCallbackUrl: 'https://api-1.example.com:8443/webhooks/twilio' });
  });

  it('reads the SendGrid batching settings and refuses them out of range', () => {
    const sendgrid = { EMAIL_PROVIDER: 'sendgrid', SENDGRID_API_KEY: 'SG.key' };
    expect(
      loadConfig({ ...sendgrid, SENDGRID_MAX_BATCH_SIZE: '1', SENDGRID_BATCH_WINDOW_MS: '0' }).providers
        .email,
    ).toMatchObject({ maxBatchSize: 1, batchWindowMs: 0 });
    expect(() => loadConfig({ ...sendgrid, SENDGRID_MAX_BATCH_SIZE: '1001' })).toThrow(
      /SENDGRID_MAX_BATCH_SIZE/,
    );
    expect(() => loadConfig({ ...sendgrid, SENDGRID_MAX_BATCH_SIZE: '0' })).toThrow(
      /SENDGRID_MAX_BATCH_SIZE/,
    );
    expect(() => loadConfig({ ...sendgrid, SENDGRID_BATCH_WINDOW_MS: '-1' })).toThrow(
      /SENDGRID_BATCH_WINDOW_MS/,
    );
  });

  it('refuses a chosen provider whose credentials are missing, naming each variable', () => {
    let caught: unknown;
    try {
      loadConfig({ EMAIL_PROVIDER: 'sendgrid', PUSH_PROVIDER: 'webpush' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).errors.map((problem) => problem.path)).toEqual([
      'SENDGRID_API_KEY',
      'VAPID_PUBLIC_KEY',
      'VAPID_PRIVATE_KEY',
      'VAPID_SUBJECT',
    ]);
  });

  it('never repeats provider secrets in its error', () => {
    expect(() => loadConfig({ SMTP_URL: 'ftp://user:hunter2@host' })).toThrow(/SMTP_URL/);
    expect(() => loadConfig({ SMTP_URL: 'ftp://user:hunter2@host' })).not.toThrow(/hunter2/);
  });

  it('keeps the SendGrid webhook verification key as given, and leaves the webhook off without it', () => {
    const key = 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE-as-shown-by-sendgrid';
    const config = loadConfig({ SENDGRID_WEBHOOK_PUBLIC_KEY: key, WEBHOOK_MAX_AGE_SECONDS: '120' });
    expect(config.webhooks.sendGridPublicKey).toBe(key);
    expect(config.webhooks.maxAgeSeconds).toBe(120);
    expect(loadConfig({}).webhooks).toEqual({ maxAgeSeconds: 90000, softBounceLimit: 5 });
    expect(loadConfig({ SOFT_BOUNCE_LIMIT: '1' }).webhooks.softBounceLimit).toBe(1);
    expect(() => loadConfig({ SOFT_BOUNCE_LIMIT: '21' })).toThrow(ConfigError);
  });

  it('turns mobile push providers on only with all their credentials, naming what is missing', () => {
    expect(loadConfig({}).providers).not.toHaveProperty('fcm');
    expect(() => loadConfig({ APNS_TEAM_ID: 'ABCDE12345' })).toThrow(/APNS_KEY_ID.*\n.*APNS_PRIVATE_KEY/s);
    expect(() => loadConfig({ FCM_PROJECT_ID: 'herald' })).toThrow(/FCM_SERVICE_ACCOUNT_JSON/);
    const key = {
      client_email: 'a@b.iam',
      private_key: 'k',
      token_uri: 'https://oauth2.googleapis.com/token',
      project_id: 'p1',
    };
    expect(loadConfig({ FCM_SERVICE_ACCOUNT_JSON: JSON.stringify(key) }).providers.fcm).toMatchObject({
      projectId: 'p1',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      apiUrl: 'https://fcm.googleapis.com',
    });
  });
});
