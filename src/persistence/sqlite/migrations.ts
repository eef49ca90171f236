import type { Migration } from '../migration.js';

/*
 * SQLite schema. Times are INTEGER epoch milliseconds, JSON columns are TEXT. `sessions.active` is 1 for an
 * active session; a revoke writes 0, and a revoke of an already-inactive session writes -1, so one
 * UPDATE ... RETURNING tells "revoked now" from "was already inactive" (readers test `active = 1`).
 */
export const SQLITE_MIGRATIONS: Migration[] = [
  {
    version: '20261124000001_initial',
    sql: `
CREATE TABLE identities (
  id TEXT PRIMARY KEY NOT NULL,
  schema_id TEXT NOT NULL,
  state TEXT NOT NULL,
  state_changed_at INTEGER,
  traits TEXT NOT NULL,
  metadata_public TEXT,
  metadata_admin TEXT,
  external_id TEXT UNIQUE,
  organization_id TEXT,
  verifiable_addresses TEXT NOT NULL DEFAULT '[]',
  recovery_addresses TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE identity_credentials (
  identity_id TEXT NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  config TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (identity_id, type)
);
CREATE TABLE identity_credential_identifiers (
  type TEXT NOT NULL,
  identifier TEXT NOT NULL,
  identity_id TEXT NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
  PRIMARY KEY (type, identifier)
);
CREATE INDEX identity_credential_identifiers_identity_idx ON identity_credential_identifiers (identity_id);
CREATE TABLE sessions (
  id TEXT PRIMARY KEY NOT NULL,
  identity_id TEXT NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
  token_hash BLOB NOT NULL UNIQUE,
  active INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  authenticated_at INTEGER NOT NULL,
  issued_at INTEGER NOT NULL,
  aal TEXT NOT NULL,
  authentication_methods TEXT NOT NULL DEFAULT '[]',
  devices TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX sessions_identity_created_idx ON sessions (identity_id, created_at DESC, id DESC);
CREATE INDEX sessions_created_idx ON sessions (created_at DESC, id DESC);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
CREATE TABLE selfservice_flows (
  id TEXT PRIMARY KEY NOT NULL,
  kind TEXT NOT NULL,
  type TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  issued_at INTEGER NOT NULL,
  csrf_token TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX selfservice_flows_expires_idx ON selfservice_flows (expires_at);
CREATE TABLE selfservice_errors (
  id TEXT PRIMARY KEY NOT NULL,
  error TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  seen_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX selfservice_errors_created_idx ON selfservice_errors (created_at);
`,
  },
  {
    // Throttle counters (login throttling; reusable for other limits). `key` is a digest chosen by the caller;
    // times are epoch ms. The window_end index serves `porta cleanup sql`.
    version: '20261206000001_login_throttle',
    sql: `
CREATE TABLE throttle_counters (
  key TEXT PRIMARY KEY NOT NULL,
  hits INTEGER NOT NULL,
  window_end INTEGER NOT NULL,
  stamped_at INTEGER,
  sliding INTEGER NOT NULL
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
  id TEXT PRIMARY KEY NOT NULL,
  type TEXT NOT NULL,
  channel TEXT NOT NULL,
  status TEXT NOT NULL,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  template_type TEXT NOT NULL,
  template_data TEXT NOT NULL,
  send_count INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  lease_until INTEGER,
  claim_token TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX courier_messages_due_idx ON courier_messages (status, next_attempt_at);
CREATE INDEX courier_messages_created_idx ON courier_messages (created_at DESC, id);
CREATE INDEX courier_messages_recipient_idx ON courier_messages (recipient, created_at DESC, id);
CREATE TABLE courier_message_dispatches (
  id TEXT PRIMARY KEY NOT NULL,
  message_id TEXT NOT NULL REFERENCES courier_messages(id) ON DELETE CASCADE,
  status TEXT NOT NULL,
  error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX courier_message_dispatches_message_idx ON courier_message_dispatches (message_id, created_at DESC);
`,
  },
  {
    // The inactivity timeout's clock (porta.session.inactivity_timeout): an existing session counts as
    // last used when it was last authenticated (or issued, should that be later).
    version: '20261206000004_session_activity',
    sql: `
ALTER TABLE sessions ADD COLUMN last_active_at INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET last_active_at = MAX(authenticated_at, issued_at);
`,
  },
  {
    // The session-event outbox (hooks-and-session-events-spec §C.4.3): written only while receivers are
    // configured, in the same transaction as the revocation. No foreign key to sessions: an event outlives them.
    version: '20261206000003_session_events',
    sql: `
CREATE TABLE porta_session_events (
  id TEXT PRIMARY KEY NOT NULL,
  cause_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  initiator TEXT NOT NULL,
  session_id TEXT NOT NULL,
  identity_id TEXT NOT NULL,
  occurred_at INTEGER NOT NULL,
  session TEXT NOT NULL
);
CREATE TABLE porta_session_event_deliveries (
  id TEXT PRIMARY KEY NOT NULL,
  event_id TEXT NOT NULL REFERENCES porta_session_events(id) ON DELETE CASCADE,
  receiver_id TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  lease_until INTEGER,
  last_status INTEGER,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  delivered_at INTEGER
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
ALTER TABLE identities ADD COLUMN embed TEXT;
`,
  },
  {
    // Verifiable and recovery addresses, one row each (Kratos keeps them in their own tables), so the
    // verification and recovery sends find an identity by an index instead of scanning every identity's
    // JSON. The JSON columns stay what identities are read from; these rows are written with them in the
    // same transaction. Not unique across identities: two may share an address (the oldest one wins a lookup).
    // Backfilled from the JSON columns; a value that is not a string is left out, as no lookup could match it.
    version: '20261206000030_identity_addresses',
    sql: `
CREATE TABLE identity_addresses (
  kind TEXT NOT NULL CHECK (kind IN ('verifiable', 'recovery')),
  via TEXT NOT NULL,
  value TEXT NOT NULL,
  identity_id TEXT NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
  PRIMARY KEY (kind, via, value, identity_id)
);
CREATE INDEX identity_addresses_identity_idx ON identity_addresses (identity_id);
INSERT OR IGNORE INTO identity_addresses (kind, via, value, identity_id)
  SELECT 'verifiable', json_extract(a.value, '$.via'), json_extract(a.value, '$.value'), i.id FROM identities i, json_each(i.verifiable_addresses) a
  WHERE json_type(a.value, '$.via') = 'text' AND json_type(a.value, '$.value') = 'text' AND instr(json_extract(a.value, '$.via') || json_extract(a.value, '$.value'), char(0)) = 0;
INSERT OR IGNORE INTO identity_addresses (kind, via, value, identity_id)
  SELECT 'recovery', json_extract(a.value, '$.via'), json_extract(a.value, '$.value'), i.id FROM identities i, json_each(i.recovery_addresses) a
  WHERE json_type(a.value, '$.via') = 'text' AND json_type(a.value, '$.value') = 'text' AND instr(json_extract(a.value, '$.via') || json_extract(a.value, '$.value'), char(0)) = 0;
`,
  },
  {
    // The session's own parts of whoami's body (session/json.ts sessionEmbed), written with every INSERT and
    // UPDATE of the session's JSON-visible fields, so whoami splices them instead of formatting dates and
    // re-serialising the methods and devices per request. Rows written before this keep NULL, and whoami
    // builds those parts from the columns as before.
    version: '20261206000040_session_embed',
    sql: `
ALTER TABLE sessions ADD COLUMN embed_head TEXT;
ALTER TABLE sessions ADD COLUMN embed_devices TEXT;
`,
  },
];
