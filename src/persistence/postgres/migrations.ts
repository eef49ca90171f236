import type { Migration } from '../migration.js';

/*
 * PostgreSQL schema. JSON columns are `json`, not `jsonb`: json keeps the client's key order (traits come
 * back as they were written, as on SQLite) and costs nothing to store. `sessions.active` is in no index
 * and the table has a lower fillfactor, so the logout UPDATE stays a HOT update (no index writes).
 */
export const POSTGRES_MIGRATIONS: Migration[] = [
  {
    version: '20261124000001_initial',
    sql: `
CREATE TABLE identities (
  id uuid PRIMARY KEY,
  schema_id text NOT NULL,
  state text NOT NULL,
  state_changed_at timestamptz,
  traits json NOT NULL,
  metadata_public json,
  metadata_admin json,
  external_id text UNIQUE,
  organization_id text,
  verifiable_addresses json NOT NULL DEFAULT '[]',
  recovery_addresses json NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE TABLE identity_credentials (
  identity_id uuid NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
  type text NOT NULL,
  config json NOT NULL,
  version integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (identity_id, type)
);
CREATE TABLE identity_credential_identifiers (
  type text NOT NULL,
  identifier text NOT NULL,
  identity_id uuid NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
  PRIMARY KEY (type, identifier)
);
CREATE INDEX identity_credential_identifiers_identity_idx ON identity_credential_identifiers (identity_id);
CREATE TABLE sessions (
  id uuid PRIMARY KEY,
  identity_id uuid NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
  token_hash bytea NOT NULL UNIQUE,
  active boolean NOT NULL,
  expires_at timestamptz NOT NULL,
  authenticated_at timestamptz NOT NULL,
  issued_at timestamptz NOT NULL,
  aal text NOT NULL,
  authentication_methods json NOT NULL DEFAULT '[]',
  devices json NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
) WITH (fillfactor = 80);
CREATE INDEX sessions_identity_created_idx ON sessions (identity_id, created_at DESC, id DESC);
CREATE INDEX sessions_created_idx ON sessions (created_at DESC, id DESC);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
CREATE TABLE selfservice_flows (
  id uuid PRIMARY KEY,
  kind text NOT NULL,
  type text NOT NULL,
  expires_at timestamptz NOT NULL,
  issued_at timestamptz NOT NULL,
  csrf_token text NOT NULL,
  data json NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX selfservice_flows_expires_idx ON selfservice_flows (expires_at);
CREATE TABLE selfservice_errors (
  id uuid PRIMARY KEY,
  error json NOT NULL,
  csrf_token text NOT NULL,
  seen_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX selfservice_errors_created_idx ON selfservice_errors (created_at);
`,
  },
  {
    // Throttle counters (login throttling; reusable for other limits). `key` is a digest chosen by the caller.
    // The window_end index serves `porta cleanup sql`.
    version: '20261206000001_login_throttle',
    sql: `
CREATE TABLE throttle_counters (
  key text PRIMARY KEY,
  hits integer NOT NULL,
  window_end timestamptz NOT NULL,
  stamped_at timestamptz,
  sliding boolean NOT NULL
);
CREATE INDEX throttle_counters_window_end_idx ON throttle_counters (window_end);
`,
  },
  {
    // Outgoing messages (Kratos's courier). `next_attempt_at` delays a retry; `lease_until` and `claim_token`
    // mark a claim by one worker, so a message whose worker died is claimable again once the lease ends.
    version: '20261206000002_courier',
    sql: `
CREATE TABLE courier_messages (
  id uuid PRIMARY KEY,
  type text NOT NULL,
  channel text NOT NULL,
  status text NOT NULL,
  recipient text NOT NULL,
  subject text NOT NULL,
  body text NOT NULL,
  template_type text NOT NULL,
  template_data json NOT NULL,
  send_count integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  lease_until timestamptz,
  claim_token uuid,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX courier_messages_due_idx ON courier_messages (status, next_attempt_at);
CREATE INDEX courier_messages_created_idx ON courier_messages (created_at DESC, id);
CREATE INDEX courier_messages_recipient_idx ON courier_messages (recipient, created_at DESC, id);
CREATE TABLE courier_message_dispatches (
  id uuid PRIMARY KEY,
  message_id uuid NOT NULL REFERENCES courier_messages(id) ON DELETE CASCADE,
  status text NOT NULL,
  error json,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX courier_message_dispatches_message_idx ON courier_message_dispatches (message_id, created_at DESC);
`,
  },
  {
    // The inactivity timeout's clock (porta.session.inactivity_timeout): an existing session counts as
    // last used when it was last authenticated (or issued, should that be later). Not indexed, so
    // recording activity stays a HOT update.
    version: '20261206000004_session_activity',
    sql: `
ALTER TABLE sessions ADD COLUMN last_active_at timestamptz;
UPDATE sessions SET last_active_at = GREATEST(authenticated_at, issued_at);
ALTER TABLE sessions ALTER COLUMN last_active_at SET NOT NULL;
`,
  },
  {
    // The session-event outbox (hooks-and-session-events-spec §C.4.3): written only while receivers are
    // configured, in the same transaction as the revocation. No foreign key to sessions: an event outlives them.
    version: '20261206000003_session_events',
    sql: `
CREATE TABLE porta_session_events (
  id uuid PRIMARY KEY,
  cause_id uuid NOT NULL,
  reason text NOT NULL,
  initiator text NOT NULL,
  session_id uuid NOT NULL,
  identity_id uuid NOT NULL,
  occurred_at timestamptz NOT NULL,
  session json NOT NULL
);
CREATE TABLE porta_session_event_deliveries (
  id uuid PRIMARY KEY,
  event_id uuid NOT NULL REFERENCES porta_session_events(id) ON DELETE CASCADE,
  receiver_id text NOT NULL,
  state text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  lease_until timestamptz,
  last_status integer,
  last_error text,
  created_at timestamptz NOT NULL,
  delivered_at timestamptz
);
CREATE INDEX porta_session_event_deliveries_due_idx ON porta_session_event_deliveries (state, next_attempt_at);
CREATE INDEX porta_session_event_deliveries_event_idx ON porta_session_event_deliveries (event_id);
CREATE INDEX porta_session_events_occurred_idx ON porta_session_events (occurred_at);
`,
  },
  {
    // The identity as sessions embed it (identity/json.ts identityEmbed), written with every INSERT and
    // UPDATE of the identity so whoami splices it instead of decoding and re-serialising the identity.
    // Rows written before this migration keep NULL, and whoami builds their JSON as before.
    version: '20261206000010_identity_embed',
    sql: `
ALTER TABLE identities ADD COLUMN embed text;
`,
  },
  {
    // Verifiable and recovery addresses, one row each (Kratos keeps them in their own tables), so the
    // verification and recovery sends find an identity by an index instead of scanning every identity's
    // JSON. The JSON columns stay what identities are read from; these rows are written with them in the
    // same transaction. Not unique across identities: two may share an address (the oldest one wins a lookup).
    // Backfilled from the JSON columns. Left out: a value that is not a string (no lookup could match it) and
    // an address whose JSON escapes NUL (\u0000 after an even run of backslashes): text cannot hold it, and
    // even reading a field of such JSON fails, hence the CASE that tests the raw text first.
    version: '20261206000030_identity_addresses',
    sql: `
CREATE TABLE identity_addresses (
  kind text NOT NULL CHECK (kind IN ('verifiable', 'recovery')),
  via text NOT NULL,
  value text NOT NULL,
  identity_id uuid NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
  PRIMARY KEY (kind, via, value, identity_id)
);
CREATE INDEX identity_addresses_identity_idx ON identity_addresses (identity_id);
INSERT INTO identity_addresses (kind, via, value, identity_id)
  SELECT DISTINCT k.kind, k.a->>'via', k.a->>'value', k.id
  FROM (
    SELECT 'verifiable' AS kind, a, i.id FROM identities i, json_array_elements(i.verifiable_addresses) a
    UNION ALL
    SELECT 'recovery', a, i.id FROM identities i, json_array_elements(i.recovery_addresses) a
  ) k
  WHERE CASE WHEN k.a::text ~ '(^|[^\\\\])(\\\\\\\\)*\\\\u0000' THEN false
    ELSE json_typeof(k.a->'via') = 'string' AND json_typeof(k.a->'value') = 'string' END;
`,
  },
  {
    // The session's own parts of whoami's body (session/json.ts sessionEmbed), written with every INSERT and
    // UPDATE of the session's JSON-visible fields, so whoami splices them instead of formatting dates and
    // re-serialising the methods and devices per request. Rows written before this keep NULL, and whoami
    // builds those parts from the columns as before.
    version: '20261206000040_session_embed',
    sql: `
ALTER TABLE sessions ADD COLUMN embed_head text;
ALTER TABLE sessions ADD COLUMN embed_devices text;
`,
  },
];
