/** The variables choosing each channel's provider and configuring it; part of ENVIRONMENT_VARIABLES. */
export const PROVIDER_VARIABLES = {
  EMAIL_PROVIDER: {
    type: 'string',
    enum: ['outbox', 'sendgrid', 'smtp'],
    default: 'outbox',
    description: 'Where the workers send e-mail.',
  },
  SMS_PROVIDER: {
    type: 'string',
    enum: ['outbox', 'twilio'],
    default: 'outbox',
    description: 'Where the workers send SMS.',
  },
  PUSH_PROVIDER: {
    type: 'string',
    enum: ['outbox', 'webpush'],
    default: 'outbox',
    description: 'Where the workers send web push (mobile push goes to FCM or APNs when configured).',
  },
  SENDGRID_API_KEY: {
    type: 'string',
    minLength: 1,
    maxLength: 512,
    secret: true,
    description: 'SendGrid API key; required with `EMAIL_PROVIDER=sendgrid`.',
  },
  SENDGRID_API_URL: {
    type: 'string',
    pattern: '^https?://',
    default: 'https://api.sendgrid.com',
    description: "Base URL of SendGrid's API, for a proxy or a test stand-in.",
  },
  SENDGRID_MAX_BATCH_SIZE: {
    type: 'integer',
    minimum: 1,
    maximum: 1000,
    default: 100,
    description: 'Most e-mails sent in one SendGrid request (one personalization each); 1 sends each alone.',
  },
  SENDGRID_BATCH_WINDOW_MS: {
    type: 'integer',
    minimum: 0,
    maximum: 1000,
    default: 2,
    description: 'How long an e-mail waits for others to share its SendGrid request; 0 sends each alone.',
  },
  SENDGRID_WEBHOOK_PUBLIC_KEY: {
    type: 'string',
    minLength: 40,
    maxLength: 1000,
    description:
      "Verification key of SendGrid's signed event webhook (base64 or PEM); turns on `POST /webhooks/sendgrid`, and a key that is not EC P-256 stops the API at start.",
  },
  WEBHOOK_MAX_AGE_SECONDS: {
    type: 'integer',
    minimum: 10,
    maximum: 259200,
    // SendGrid retries a failed post for 24 hours: a shorter window would lose the bounces and spam
    // reports of an outage. A replayed request changes nothing (events count once by their id).
    default: 90000,
    description:
      "Signed webhook requests whose timestamp is further than this from now are refused; the default (25 h) covers SendGrid's 24 hours of retries.",
  },
  SOFT_BOUNCE_LIMIT: {
    type: 'integer',
    minimum: 1,
    maximum: 20,
    default: 5,
    description:
      'Soft bounces in a row reported by SendGrid or Twilio after which an address is suppressed with reason `soft-bounce-limit`.',
  },
  SMTP_URL: {
    type: 'string',
    pattern: '^smtps?://',
    secret: true,
    description:
      '`smtp://user:password@host:port` (STARTTLS when offered) or `smtps://…` (TLS); required with `EMAIL_PROVIDER=smtp`.',
  },
  TWILIO_ACCOUNT_SID: {
    type: 'string',
    pattern: '^AC[0-9a-fA-F]{32}$',
    description: 'Twilio account SID; required with `SMS_PROVIDER=twilio`.',
  },
  TWILIO_AUTH_TOKEN: {
    type: 'string',
    minLength: 1,
    maxLength: 256,
    secret: true,
    description: 'Twilio auth token; required with `SMS_PROVIDER=twilio`.',
  },
  TWILIO_API_URL: {
    type: 'string',
    pattern: '^https?://',
    default: 'https://api.twilio.com',
    description: "Base URL of Twilio's API, for a proxy or a test stand-in.",
  },
  TWILIO_STATUS_CALLBACK_URL: {
    type: 'string',
    // Letters, digits, dots and hyphens only in the host: Twilio refuses a callback URL whose host
    // has an underscore, which would otherwise fail every send.
    pattern: '^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\\s]*)?$',
    description:
      "Public address of the API's `/webhooks/twilio`, given to Twilio with each SMS; the API then accepts Twilio's signed status callbacks there, signed over the URL with or without its port. A host with `_` is refused (Twilio refuses it).",
  },
  VAPID_PUBLIC_KEY: {
    type: 'string',
    pattern: '^[A-Za-z0-9_-]{80,100}$',
    description:
      'VAPID public key, base64url (what browsers subscribe with); required with `PUSH_PROVIDER=webpush`.',
  },
  VAPID_PRIVATE_KEY: {
    type: 'string',
    pattern: '^[A-Za-z0-9_-]{40,50}$',
    secret: true,
    description: 'VAPID private key, base64url; required with `PUSH_PROVIDER=webpush`.',
  },
  VAPID_SUBJECT: {
    type: 'string',
    pattern: '^(mailto:|https://)',
    description: 'Contact given to push services; required with `PUSH_PROVIDER=webpush`.',
  },
  FCM_SERVICE_ACCOUNT_JSON: {
    type: 'string',
    minLength: 2,
    maxLength: 20000,
    secret: true,
    description:
      "Contents (not the path) of a Firebase service account's JSON key; turns on mobile push to `fcm` devices through FCM HTTP v1 (without it they go to the outbox). Its `token_uri` is where access tokens are fetched.",
  },
  FCM_PROJECT_ID: {
    type: 'string',
    pattern: '^[a-z0-9-]{1,100}$',
    description: "Firebase project receiving FCM sends; the service account's `project_id` unless set.",
  },
  FCM_API_URL: {
    type: 'string',
    pattern: '^https?://',
    default: 'https://fcm.googleapis.com',
    description: "Base URL of FCM's HTTP v1 API, for a proxy or a test stand-in.",
  },
  APNS_TEAM_ID: {
    type: 'string',
    pattern: '^[A-Z0-9]{10}$',
    description:
      'Apple developer team id (the JWT `iss`); with `APNS_KEY_ID` and `APNS_PRIVATE_KEY`, turns on mobile push to `apns` and `apnsSandbox` devices (without them they go to the outbox).',
  },
  APNS_KEY_ID: {
    type: 'string',
    pattern: '^[A-Z0-9]{10}$',
    description: 'Id of the APNs authentication key (the JWT `kid`).',
  },
  APNS_PRIVATE_KEY: {
    type: 'string',
    pattern: '-----BEGIN PRIVATE KEY-----',
    maxLength: 4000,
    secret: true,
    description:
      'The APNs authentication key: the PEM text of the `.p8` file (`\\n` escapes accepted for newlines).',
  },
  APNS_URL: {
    type: 'string',
    pattern: '^https://',
    default: 'https://api.push.apple.com',
    description: 'APNs server for `apns` devices (production).',
  },
  APNS_SANDBOX_URL: {
    type: 'string',
    pattern: '^https://',
    default: 'https://api.sandbox.push.apple.com',
    description: 'APNs server for `apnsSandbox` devices (development builds of the app).',
  },
  APNS_CA_FILE: {
    type: 'string',
    minLength: 1,
    description:
      "PEM file of extra certificate authorities trusted for APNs's TLS; for a test stand-in only.",
  },
  PROVIDER_TIMEOUT_MS: {
    type: 'integer',
    minimum: 100,
    maximum: 120000,
    default: 10000,
    description: 'How long a worker waits for a provider before counting the attempt as a transient failure.',
  },
  EMAIL_RATE_LIMIT_PER_SECOND: {
    type: 'integer',
    minimum: 0,
    maximum: 1000000,
    default: 0,
    description:
      'E-mail delivery jobs all workers together may start per second, counted in Redis (0: no limit); set the same value on every worker.',
  },
  SMS_RATE_LIMIT_PER_SECOND: {
    type: 'integer',
    minimum: 0,
    maximum: 1000000,
    default: 0,
    description: 'SMS delivery jobs all workers together may start per second (0: no limit).',
  },
  PUSH_RATE_LIMIT_PER_SECOND: {
    type: 'integer',
    minimum: 0,
    maximum: 1000000,
    default: 0,
    description:
      'Web push delivery jobs (one per recipient, whatever its devices) all workers together may start per second (0: no limit).',
  },
} as const;
