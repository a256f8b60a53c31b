/**
 * Every `code` a HeraldError can carry, with the HTTP status the API answers with and what it
 * means: the single source of docs/reference/errors.md. A code not listed here does not compile.
 *
 * The delivery codes (status 422 permanent, 503 transient) become the `reason` of a failed
 * delivery record rather than an HTTP answer; their status follows their class. `errors[].code`
 * of a FieldError is not listed: it is usually an ajv keyword, an open set.
 */
export const ERROR_CODES = {
  'bad-request': {
    status: 400,
    meaning: 'The path or body cannot be decoded (for example a malformed `%`-escape).',
  },
  'headers-too-large': {
    status: 431,
    meaning: 'The request line and headers together are over the 16 KiB the server reads (a path too long).',
  },
  'malformed-json': { status: 400, meaning: 'The body is not valid JSON, or not an object or array.' },
  'json-too-deep': {
    status: 400,
    meaning:
      'The body nests arrays or objects more than 64 levels deep; `errors[0].path` is the first field too deep.',
  },
  'invalid-unicode': {
    status: 400,
    meaning:
      'A string (key or value) of the body holds an unpaired UTF-16 surrogate (an escape such as `\\udfff` without its pair); `errors[0].path` names it.',
  },
  'invalid-number': {
    status: 400,
    meaning:
      'A number of the body is too large for a 64-bit float (`1e309`, read as Infinity); `errors[0].path` names it.',
  },
  'reserved-key': {
    status: 400,
    meaning:
      'A member of the body is named `toString` or `valueOf` (JavaScript object methods, which schema comparisons call); `errors[0].path` names it.',
  },
  'invalid-sandbox': { status: 400, meaning: '`x-sandbox-name` does not match `^[a-z0-9][a-z0-9-]{0,63}$`.' },
  'invalid-campaign': {
    status: 400,
    meaning:
      'The campaign definition breaks the schema, `contextSchema` is not a valid draft 2020-12 object schema, or `channelConfig.sms.defaultRegion` is not a known region (`unknown-region`).',
  },
  'invalid-if-match': { status: 400, meaning: '`If-Match` does not name a version.' },
  'invalid-version': { status: 400, meaning: 'The `{version}` path parameter is not a positive integer.' },
  'invalid-page': { status: 400, meaning: 'Campaign lists: `limit` or `cursor` out of range.' },
  'invalid-cursor': { status: 400, meaning: 'A `cursor` that is not a `nextCursor` of this list.' },
  'invalid-query': { status: 400, meaning: 'Other lists and lookups: a bad or unknown query parameter.' },
  'invalid-request': {
    status: 400,
    meaning:
      'Execution endpoints: a problem outside the recipients, or a bad `dryRun`. Preview and test-send: the body breaks its schema.',
  },
  'invalid-recipients': {
    status: 400,
    meaning: 'Unitary, highthroughput or test-send: one or more recipients are invalid; nothing was queued.',
  },
  'invalid-phone-number': {
    status: 400,
    meaning:
      "An SMS recipient's number is impossible, or lacks `+` while neither the campaign nor the sandbox names `sms.defaultRegion` (the rule: docs/ajo.md). Nothing was queued.",
  },
  'unknown-profiles': {
    status: 400,
    meaning:
      'Unitary (and its dry run): `aep` recipients without a profile, while the campaign has `createProfiles` off and `unknownProfiles` `reject` (the default); each is listed (`errors[].code` `profile-not-found`, path `/recipients/{i}/userId`). Nothing was queued.',
  },
  'duplicate-recipient': {
    status: 400,
    meaning: 'Unitary: the only problems are recipients repeating an earlier one; nothing was queued.',
  },
  'audience-required': {
    status: 400,
    meaning: 'Audience execution: no `audience.id` in the call and none on the campaign.',
  },
  'invalid-context': {
    status: 400,
    meaning: "Preview or audience execution: the `context` breaks the campaign's `contextSchema`.",
  },
  'unknown-locale': { status: 400, meaning: 'Preview: the campaign has no such locale.' },
  'invalid-profile': { status: 400, meaning: 'A profile breaks its rules.' },
  'invalid-profiles': {
    status: 400,
    meaning: 'Bulk upsert: one or more profiles break their rules; none was stored.',
  },
  'attributes-too-large': {
    status: 400,
    meaning: 'Profile attributes larger than 64 KB, and no other problem.',
  },
  'identities-required': { status: 400, meaning: 'A profile without any identity (MongoDB store).' },
  'invalid-attribute-key': {
    status: 400,
    meaning: 'An attribute name is empty, contains `.` or starts with `$` (MongoDB store).',
  },
  'invalid-timestamp': { status: 400, meaning: 'A timestamp given to the store is not ISO-8601.' },
  'invalid-audience': { status: 400, meaning: 'The audience breaks its schema.' },
  'invalid-audience-query': {
    status: 400,
    meaning: 'The audience query uses a field, operator or value that is not allowed.',
  },
  'invalid-suppression': { status: 400, meaning: 'The suppression entry breaks its schema.' },
  'invalid-channel': { status: 400, meaning: 'Suppression path: unknown channel.' },
  'invalid-address': {
    status: 400,
    meaning: 'Suppression path: empty or too long address; test-send: an invalid test address.',
  },
  'invalid-api-key': { status: 400, meaning: 'The API key definition breaks its schema.' },
  'invalid-api-credential': { status: 400, meaning: 'The API credential definition breaks its schema.' },
  'invalid-webhook': {
    status: 400,
    meaning: '`POST` or `PATCH /webhooks`: the body breaks its schema; every problem is listed.',
  },
  'webhook-url-not-allowed': {
    status: 400,
    meaning:
      'A webhook URL that is not `https`, or names a loopback, private or reserved address, while `ALLOW_PRIVATE_URLS` is off.',
  },
  'invalid-settings': {
    status: 400,
    meaning:
      '`PUT /settings`: the body breaks its schema, names an unknown time zone or phone region (`unknown-region`), or has `start` equal to `end`; every problem is listed.',
  },
  'invalid-replay': {
    status: 400,
    meaning: 'Replay: the body breaks its schema (for example an empty `deliveryIds`).',
  },
  'invalid-report-date': {
    status: 400,
    meaning:
      'Reports: `from` or `to` is not an ISO 8601 date or date-time with a zone (`Z` or an offset), or no such day exists.',
  },
  'invalid-report-window': { status: 400, meaning: 'Reports: `from` is not before `to`.' },
  'too-many-buckets': {
    status: 400,
    meaning:
      'Reports: the window holds more than 1,500 buckets of its `granularity`; shorten it or pick a coarser one.',
  },
  unauthorized: {
    status: 401,
    meaning: 'No key, an unknown key or a revoked key. Sent with `WWW-Authenticate: Bearer`.',
  },
  'token-invalid': {
    status: 401,
    meaning:
      'An access token that does not verify: malformed, tampered, or signed with a key not in `TOKEN_SIGNING_KEYS`.',
  },
  'token-expired': { status: 401, meaning: 'An access token past its expiry.' },
  'credential-revoked': { status: 401, meaning: "The access token's API credential is revoked." },
  'invalid-signature': {
    status: 401,
    meaning:
      'A provider webhook without a valid signature: missing, wrong, or signed more than `WEBHOOK_MAX_AGE_SECONDS` from now. Nothing was applied.',
  },
  forbidden: { status: 403, meaning: "The key lacks the route's role, or may not use the sandbox." },
  'labels-not-held': {
    status: 403,
    meaning:
      'A campaign create or edit sets or removes `/labels` the key does not hold (a key holds its own labels; `*` and admin keys hold all). Nothing was changed.',
  },
  'client-id-mismatch': {
    status: 403,
    meaning: "With an access token: `x-api-key` missing or not the token's client id.",
  },
  'org-mismatch': {
    status: 403,
    meaning: "With an access token: `x-gw-ims-org-id` missing or not the token's org.",
  },
  'all-sandboxes-required': {
    status: 403,
    meaning: 'Bull Board: an admin key bound to some sandboxes; the board shows them all, so it needs `*`.',
  },
  'route-not-found': { status: 404, meaning: 'No such method and path.' },
  'campaign-not-found': { status: 404, meaning: 'No campaign with that id in the sandbox.' },
  'campaign-version-not-found': { status: 404, meaning: 'The campaign has no such version.' },
  'profile-not-found': { status: 404, meaning: 'No profile with that id in the sandbox.' },
  'audience-not-found': { status: 404, meaning: 'No audience with that id in the sandbox.' },
  'not-suppressed': { status: 404, meaning: 'The address is not on the suppression list.' },
  'api-key-not-found': { status: 404, meaning: 'No active API key with that id.' },
  'api-credential-not-found': { status: 404, meaning: 'No active API credential with that id.' },
  'webhook-not-found': { status: 404, meaning: 'No webhook subscription with that id in the sandbox.' },
  'webhook-delivery-not-found': {
    status: 404,
    meaning: "Replay: the subscription's delivery log has no such event.",
  },
  'tokens-not-configured': {
    status: 404,
    meaning: '`POST /ims/token/v3` while `TOKEN_SIGNING_KEYS` is unset.',
  },
  'execution-not-found': {
    status: 404,
    meaning: 'No execution (or audience execution) with that id in the sandbox.',
  },
  'webhook-not-configured': {
    status: 404,
    meaning:
      'A provider webhook that is off: `SENDGRID_WEBHOOK_PUBLIC_KEY` unset, or no Twilio status callback configured.',
  },
  'schedule-not-found': {
    status: 404,
    meaning:
      'No such schedule, or it was cancelled (`GET`), or it already fired or was cancelled (`DELETE`).',
  },
  'illegal-transition': {
    status: 409,
    meaning: "The lifecycle does not allow the action from the campaign's status.",
  },
  'version-conflict': {
    status: 409,
    meaning: '`PUT` with an `If-Match` that is not the latest version, or a concurrent edit.',
  },
  'campaign-archived': { status: 409, meaning: '`PUT` on an archived campaign.' },
  'nothing-to-publish': { status: 409, meaning: 'Publishing when the latest version is already live.' },
  'campaign-not-live': { status: 409, meaning: 'Triggering a draft, stopped or archived campaign.' },
  'campaign-outside-schedule': {
    status: 409,
    meaning: 'Triggering a scheduled (not yet started) or completed campaign.',
  },
  'identity-conflict': {
    status: 409,
    meaning: 'Creating a profile with a taken identity; upserting identities of two or more profiles.',
  },
  'x-request-id-in-progress': {
    status: 409,
    meaning:
      'An `x-request-id` whose first call (with another body) has not answered yet; retry that call, or use a new x-request-id.',
  },
  'request-id-reused': {
    status: 409,
    meaning:
      'Unitary or highthroughput: the `requestId` was used in this sandbox, within `IDEMPOTENCY_TTL_SECONDS`, with a different body.',
  },
  'api-key-exists': { status: 409, meaning: 'An API key with this hash or id is already stored.' },
  'api-credential-exists': {
    status: 409,
    meaning: 'An API credential with this id or client id is already stored.',
  },
  'audience-exists': { status: 409, meaning: 'An audience with this id is already stored.' },
  'campaign-exists': { status: 409, meaning: 'A campaign with this id is already stored.' },
  'execution-exists': { status: 409, meaning: 'An execution with this id is already stored.' },
  'schedule-exists': { status: 409, meaning: 'A schedule with this id is already stored.' },
  'webhook-delivery-pending': {
    status: 409,
    meaning: 'Replay of an event whose delivery is still queued or being retried.',
  },
  'payload-too-large': { status: 413, meaning: 'The body is larger than `API_MAX_BODY_BYTES`.' },
  'unsupported-media-type': {
    status: 415,
    meaning: 'The `content-type` is not `application/json` (or there is no body and no content type).',
  },
  'unsupported-encoding': {
    status: 415,
    meaning: 'A charset that is not `utf-*`, or an unknown `content-encoding`.',
  },
  'campaign-checks-failed': {
    status: 422,
    meaning: 'Activation or publish refused; `errors` lists every problem.',
  },
  'test-send-failed': { status: 422, meaning: 'A test message cannot be built; nothing was sent.' },
  'wrong-endpoint-for-campaign': {
    status: 422,
    meaning:
      'A marketing campaign triggered by unitary or highthroughput, or a transactional one by the audience endpoint.',
  },
  'channel-not-supported-by-endpoint': {
    status: 422,
    meaning: 'Highthroughput: the campaign is not an e-mail campaign.',
  },
  'invalid-context-schema': {
    status: 422,
    meaning: "The campaign version's `contextSchema` cannot be compiled.",
  },
  'header-injection': {
    status: 422,
    meaning:
      'A rendered subject, address, sender name or header holds a line break, or an e-mail carries a header outside the allow-list (List-Unsubscribe, List-Unsubscribe-Post).',
  },
  'template-syntax': {
    status: 422,
    meaning: 'A template does not parse; `line` and `column` point into its source.',
  },
  'template-render': {
    status: 422,
    meaning:
      "A template fails to render (for example over the message's 1 s budget, or its allocation limit).",
  },
  'campaign-version-missing': {
    status: 422,
    meaning: 'Delivery: the campaign version named by the job is not in the store.',
  },
  'execution-context-missing': {
    status: 422,
    meaning:
      "Delivery: an audience member's job refers to its execution's context, and the store holds none.",
  },
  'invalid-job': {
    status: 422,
    meaning:
      "Delivery: the job's recipient is not a recipient (a job written by something other than the API).",
  },
  'missing-content': { status: 422, meaning: 'Delivery: the chosen locale lacks a required field.' },
  'channel-config-missing': {
    status: 422,
    meaning: 'Delivery: the campaign has no settings for its channel.',
  },
  'channel-not-supported': {
    status: 422,
    meaning: "Delivery: the provider does not carry the campaign's channel.",
  },
  'render-failed': {
    status: 422,
    meaning:
      "Delivery: a template fails to render (for example over the message's 1 s budget, or its allocation limit).",
  },
  'provider-rejected': {
    status: 422,
    meaning:
      'Delivery: the provider refused the message (HTTP `4xx` other than `401`, `403`, `408` and `429`; SMTP `5xx`).',
  },
  'provider-auth-failed': {
    status: 422,
    meaning:
      'Delivery: the provider refused the credentials (HTTP `401` or `403`; SMTP authentication replies).',
  },
  'invalid-message': {
    status: 422,
    meaning: 'Delivery: the SendGrid or Twilio SDK refused the message before sending it.',
  },
  'empty-body': {
    status: 422,
    meaning: 'Delivery: SendGrid e-mail rendered with neither `text` nor `html` content.',
  },
  'subscription-gone': {
    status: 422,
    meaning:
      'Delivery: every push subscription or device of the recipient is gone (Web Push `404`/`410`, FCM `UNREGISTERED` or an invalid token, APNs `Unregistered`, `BadDeviceToken` or `DeviceTokenNotForTopic`); each is removed from the profile.',
  },
  'endpoint-not-allowed': {
    status: 422,
    meaning:
      'Delivery: a push endpoint is not `https`, or is a loopback, private or reserved address, and `ALLOW_PRIVATE_URLS` is off.',
  },
  'invalid-endpoint': { status: 422, meaning: 'Delivery: a push endpoint is not a URL.' },
  'invalid-subscription': {
    status: 422,
    meaning: "Delivery: the payload cannot be encrypted with the subscription's keys.",
  },
  'push-payload-too-large': {
    status: 422,
    meaning:
      'Delivery: the push payload (encrypted for Web Push; as FCM or APNs receives it) is over 4,096 bytes.',
  },
  'invalid-delivery-id': {
    status: 422,
    meaning: "Delivery to the outbox: the delivery id is not a safe file name (not one of Herald's own ids).",
  },
  'rate-limited': {
    status: 429,
    meaning:
      'The API key made more than `API_RATE_LIMIT_PER_SECOND` calls this second. Sent with `Retry-After`.',
  },
  'invalid-config': { status: 500, meaning: 'The configuration is invalid: the process does not start.' },
  'internal-error': {
    status: 500,
    meaning: 'Anything unexpected, including a store failure during a request; logged with its stack.',
  },
  'queue-unavailable': {
    status: 503,
    meaning:
      'Redis did not take the jobs or the idempotency claim. Sent with `Retry-After: 2`; retry with the same `requestId`.',
  },
  'queue-full': {
    status: 503,
    meaning:
      "Unitary or highthroughput: the campaign's channel queue holds more than `QUEUE_MAX_WAITING` waiting jobs. Sent with `Retry-After: 5`; retry with the same body.",
  },
  'store-unavailable': {
    status: 503,
    meaning: 'The store cannot be reached, or an execution could not be recorded; retry the same call.',
  },
  'short-link-code-taken': {
    status: 503,
    meaning:
      'An SMS short link drew a code another link already holds (rare: 62^10 codes); the delivery is retried with new codes.',
  },
  'outbox-write-failed': {
    status: 503,
    meaning: 'The outbox file could not be written (retried on delivery).',
  },
  'provider-throttled': {
    status: 503,
    meaning: 'Delivery: the provider answered `429`; retried with backoff.',
  },
  'provider-unavailable': {
    status: 503,
    meaning: 'Delivery: the provider answered `5xx` or `408`, or an SMTP `4xx` reply; retried with backoff.',
  },
  'provider-unreachable': {
    status: 503,
    meaning:
      'Delivery: no connection to the provider, or no answer within `PROVIDER_TIMEOUT_MS`; retried with backoff.',
  },
} as const satisfies Record<string, { readonly status: number; readonly meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes whose catalogue status is `S`: a class answering `S` accepts only these. */
export type ErrorCodeWithStatus<S extends number> = {
  [C in ErrorCode]: (typeof ERROR_CODES)[C]['status'] extends S ? C : never;
}[ErrorCode];
