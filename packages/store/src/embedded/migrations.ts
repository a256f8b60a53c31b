/**
 * Ordered schema migrations: entry `i` moves the file from `user_version` i to i + 1. Append
 * only; never edit an entry that has shipped, since files in the field already ran it.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE campaigns (
    sandbox        TEXT    NOT NULL,
    id             TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    latest_version INTEGER NOT NULL,
    live_version   INTEGER,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    PRIMARY KEY (sandbox, id)
  );

  CREATE TABLE campaign_versions (
    sandbox     TEXT    NOT NULL,
    campaign_id TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    definition  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (sandbox, campaign_id, version),
    FOREIGN KEY (sandbox, campaign_id) REFERENCES campaigns (sandbox, id) ON DELETE CASCADE
  );

  CREATE TABLE profiles (
    sandbox            TEXT NOT NULL,
    id                 TEXT NOT NULL,
    attributes         TEXT NOT NULL,
    preferred_language TEXT,
    timezone           TEXT,
    consents           TEXT NOT NULL,
    push_subscriptions TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    PRIMARY KEY (sandbox, id)
  );

  -- The primary key is what makes an identity belong to at most one profile per sandbox, even
  -- when several processes write at once.
  CREATE TABLE profile_identities (
    sandbox     TEXT    NOT NULL,
    namespace   TEXT    NOT NULL,
    identity_id TEXT    NOT NULL,
    profile_id  TEXT    NOT NULL,
    position    INTEGER NOT NULL,
    PRIMARY KEY (sandbox, namespace, identity_id),
    FOREIGN KEY (sandbox, profile_id) REFERENCES profiles (sandbox, id) ON DELETE CASCADE
  );
  -- Loads a profile's identities in order; also serves the cascade on profile deletion.
  CREATE INDEX profile_identities_by_profile ON profile_identities (sandbox, profile_id, position);

  CREATE TABLE executions (
    sandbox          TEXT    NOT NULL,
    id               TEXT    NOT NULL,
    kind             TEXT    NOT NULL,
    campaign_id      TEXT    NOT NULL,
    campaign_version INTEGER NOT NULL,
    request_id       TEXT    NOT NULL,
    recipient_count  INTEGER NOT NULL,
    status           TEXT    NOT NULL,
    error            TEXT,
    created_by       TEXT,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    PRIMARY KEY (sandbox, id)
  );
  -- listByCampaign
  CREATE INDEX executions_by_campaign ON executions (sandbox, campaign_id, id);

  CREATE TABLE deliveries (
    sandbox             TEXT    NOT NULL,
    id                  TEXT    NOT NULL,
    execution_id        TEXT    NOT NULL,
    campaign_id         TEXT    NOT NULL,
    campaign_version    INTEGER NOT NULL,
    recipient_index     INTEGER NOT NULL,
    channel             TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    reason              TEXT,
    address             TEXT,
    profile_id          TEXT,
    provider_message_id TEXT,
    attempts            INTEGER NOT NULL,
    last_error          TEXT,
    history             TEXT    NOT NULL,
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL,
    PRIMARY KEY (sandbox, id)
  );
  -- listByExecution
  CREATE INDEX deliveries_by_execution ON deliveries (sandbox, execution_id, recipient_index, id);
  -- Retention pruning on open.
  CREATE INDEX deliveries_by_created_at ON deliveries (created_at);

  CREATE TABLE audiences (
    sandbox     TEXT NOT NULL,
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT,
    kind        TEXT NOT NULL,
    query       TEXT,
    identities  TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (sandbox, id)
  );

  CREATE TABLE schedules (
    sandbox      TEXT NOT NULL,
    id           TEXT NOT NULL,
    campaign_id  TEXT NOT NULL,
    audience_id  TEXT,
    context      TEXT,
    execute_at   TEXT NOT NULL,
    status       TEXT NOT NULL,
    execution_id TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (sandbox, id)
  );

  CREATE TABLE suppressions (
    sandbox    TEXT NOT NULL,
    channel    TEXT NOT NULL,
    address    TEXT NOT NULL,
    reason     TEXT NOT NULL,
    source     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (sandbox, channel, address)
  );

  CREATE TABLE api_keys (
    id         TEXT NOT NULL PRIMARY KEY,
    name       TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE,
    sandboxes  TEXT NOT NULL,
    roles      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
  );
  `,
  `
  ALTER TABLE executions ADD COLUMN audience_id TEXT;
  ALTER TABLE executions ADD COLUMN targeted_profile_count INTEGER;
  ALTER TABLE executions ADD COLUMN fan_out_cursor TEXT;
  `,
  `
  -- listByExecution with a status filter (the failures of an execution), in recipient order.
  CREATE INDEX deliveries_by_execution_status ON deliveries (sandbox, execution_id, status, recipient_index, id);

  -- One row per sandbox; the settings are replaced whole, so they are kept as one JSON document.
  CREATE TABLE sandbox_settings (
    sandbox    TEXT NOT NULL PRIMARY KEY,
    settings   TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  `,
  `
  -- OAuth client credentials (AJO-style tokens); like api_keys, they belong to no sandbox.
  CREATE TABLE api_credentials (
    id          TEXT NOT NULL PRIMARY KEY,
    name        TEXT NOT NULL,
    client_id   TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    org_id      TEXT NOT NULL,
    sandboxes   TEXT NOT NULL,
    roles       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
  );
  `,
  `
  -- Mobile device tokens ({appId, platform, token}) beside the Web Push subscriptions.
  ALTER TABLE profiles ADD COLUMN push_tokens TEXT NOT NULL DEFAULT '[]';
  `,
  `
  -- Namespaces are case-insensitive, stored lower-case. An identity whose lower-case spelling
  -- another profile already holds keeps its old spelling (no profile is merged silently): no
  -- lookup finds it any more, so it is left for an operator to merge or delete.
  UPDATE OR IGNORE profile_identities SET namespace = lower(namespace) WHERE namespace <> lower(namespace);
  `,
  `
  -- Engagement events (sent … unsubscribed) that the reports over time count. The primary key
  -- makes a repeated event (a retried job, a provider event delivered twice) a no-op. Times are
  -- epoch milliseconds, so range filters and bucket arithmetic work on integers in the index.
  CREATE TABLE engagement_events (
    sandbox      TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    campaign_id  TEXT    NOT NULL,
    execution_id TEXT    NOT NULL,
    delivery_id  TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    at           INTEGER NOT NULL,
    reason       TEXT,
    link_id      TEXT,
    label        TEXT,
    machine      INTEGER NOT NULL,
    domain       TEXT,
    locale       TEXT,
    PRIMARY KEY (sandbox, key)
  );
  -- engagement.count of a campaign / of an execution over [from, to).
  CREATE INDEX engagement_events_by_campaign ON engagement_events (sandbox, campaign_id, at);
  CREATE INDEX engagement_events_by_execution ON engagement_events (sandbox, execution_id, at);

  -- "View in browser" pages, one per delivery; expired ones are pruned when the store opens.
  CREATE TABLE mirror_pages (
    sandbox     TEXT    NOT NULL,
    delivery_id TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    html        TEXT    NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (sandbox, delivery_id)
  );
  CREATE INDEX mirror_pages_by_expiry ON mirror_pages (expires_at);
  `,
  `
  -- Customers' feedback webhook subscriptions. The secrets are kept because they sign each call;
  -- the API shows a secret only when it is made.
  CREATE TABLE webhook_subscriptions (
    sandbox                    TEXT    NOT NULL,
    id                         TEXT    NOT NULL,
    url                        TEXT    NOT NULL,
    events                     TEXT    NOT NULL,
    description                TEXT,
    secret                     TEXT    NOT NULL,
    previous_secret            TEXT,
    previous_secret_expires_at TEXT,
    enabled                    INTEGER NOT NULL,
    disabled_reason            TEXT,
    failing_since              TEXT,
    created_at                 TEXT    NOT NULL,
    updated_at                 TEXT    NOT NULL,
    PRIMARY KEY (sandbox, id)
  );

  -- What was posted to each subscription; removed with it, and pruned by age when the store opens.
  CREATE TABLE webhook_deliveries (
    sandbox          TEXT    NOT NULL,
    subscription_id  TEXT    NOT NULL,
    event_id         TEXT    NOT NULL,
    event            TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    attempts         INTEGER NOT NULL,
    last_error       TEXT,
    last_status_code INTEGER,
    response_time_ms INTEGER,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    PRIMARY KEY (sandbox, subscription_id, event_id)
  );
  -- listBySubscription, newest first.
  CREATE INDEX webhook_deliveries_by_age ON webhook_deliveries (sandbox, subscription_id, created_at, event_id);
  CREATE INDEX webhook_deliveries_by_updated_at ON webhook_deliveries (updated_at);
  `,
  `
  -- SMS short links (/s/<code>): the signed click token each code stands for; expired ones are
  -- pruned when the store opens. WITHOUT ROWID: the code is the only key, looked up on every click.
  CREATE TABLE short_links (
    code       TEXT    NOT NULL PRIMARY KEY,
    sandbox    TEXT    NOT NULL,
    token      TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX short_links_by_expiry ON short_links (expires_at);
  `,
  `
  -- An audience execution's context, JSON, kept once for all its members' jobs.
  ALTER TABLE executions ADD COLUMN context TEXT;
  `,
  `
  -- Campaign access labels an API key or credential holds (JSON array); NULL when none were given.
  ALTER TABLE api_keys ADD COLUMN labels TEXT;
  ALTER TABLE api_credentials ADD COLUMN labels TEXT;
  `,
];
