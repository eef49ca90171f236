import type pg from 'pg';
import type { Identity } from '../../identity/types.js';
import type { Session, SessionOnly, SessionView, SessionWithEmbed, SessionWithIdentity } from '../../session/types.js';
import type { EndedSessionRow, EndedSessionsSink, ListSessionsQuery, SessionFilter, SessionPage, SessionStore } from '../../session/store.js';
import { decodePageToken, encodeMethods, encodePageToken, SESSION_HEAD_COLUMNS, WHOAMI_COLUMNS, isUuid } from '../codec.js';
import { IDENTITY_COLUMNS, identityFromRow, json, namedStatement, PG_WHERE, type IdentityRow, type Queryable } from './db.js';
import { sessionWhere } from '../sql/where.js';
import { PG, type PgColumns } from '../sql/codec.js';
import { embedColumns, endedFromRow, sessionFromRow as sessionOf, sessionHeadFromRow, whoamiFromFull, whoamiFromRow, type EndedRowOf, type SessionRow as SessionRowOf, type SessionHeadRow, type WhoamiRow } from '../sql/rows.js';
import { OUTBOX_SOURCE_COLUMNS, outboxCtes, outboxValues } from './session-events.js';

const SESSION_COLUMNS =
  's.id, s.identity_id, s.active, s.expires_at, s.authenticated_at, s.issued_at, s.last_active_at, s.aal, s.authentication_methods, s.devices, s.created_at, s.updated_at';

type SessionRow = SessionRowOf<PgColumns>;
const sessionFromRow = (r: SessionRow): Session => sessionOf(PG, r);

/** The columns a revoking statement returns so its caller learns what ended without another read. */
export const ENDED_COLUMNS = 'id, identity_id, expires_at, authenticated_at, last_active_at';
export type EndedRow = EndedRowOf<PgColumns>;
export const endedOf = (r: EndedRow): EndedSessionRow => endedFromRow(PG, r);

/**
 * A revoking UPDATE/DELETE (`mod`, without RETURNING) as one statement that, with an outbox draft on the
 * sink, also writes the events of what it ended (§C.4.3: the same statement); returns the ended rows.
 * Without a draft it is the plain statement it always was.
 */
export async function revokeReturning<R extends EndedRow>(
  db: Queryable,
  mod: string,
  values: unknown[],
  sink: EndedSessionsSink | undefined,
  opts: { activeColumn?: boolean } = {},
): Promise<R[]> {
  const cols = `${opts.activeColumn ? 'active, ' : ''}${ENDED_COLUMNS}`;
  const draft = sink?.outbox;
  if (!draft) return (await db.query<R>(`${mod} RETURNING ${cols}`, values)).rows;
  const text = `WITH u AS (${mod} RETURNING ${opts.activeColumn ? 'active, ' : ''}${OUTBOX_SOURCE_COLUMNS})${outboxCtes(values.length + 1, opts.activeColumn === true)}SELECT ${cols} FROM u`;
  return (await db.query<R>(text, [...values, ...outboxValues(draft)])).rows;
}

/*
 * Hot statements are named (namedStatement), so each pooled connection parses and plans them once.
 * The revokes only rewrite rows that are still active (a retry or a concurrent logout of the same
 * session then waits for the first writer's row lock, re-checks `active` and writes nothing); the
 * outer SELECT still sees the row in the statement's snapshot, so an already-inactive session is found.
 */
const GET_BY_TOKEN = namedStatement(
  'porta_session_by_token',
  `SELECT ${SESSION_COLUMNS}, ${IDENTITY_COLUMNS} FROM sessions s JOIN identities i ON i.id = s.identity_id WHERE s.token_hash = $1`,
);
// whoami: the session's head and the stored JSON of both rows, nothing to decode.
const GET_BY_TOKEN_EMBED = namedStatement(
  'porta_session_by_token_embed',
  `SELECT ${WHOAMI_COLUMNS} FROM sessions s JOIN identities i ON i.id = s.identity_id WHERE s.token_hash = $1`,
);
// The logouts: the session's head alone.
const GET_BY_TOKEN_SESSION = namedStatement(
  'porta_session_by_token_only',
  `SELECT ${SESSION_HEAD_COLUMNS} FROM sessions s WHERE s.token_hash = $1`,
);
// Not updated_at: activity is not a change of the session an API client could observe. No index holds
// last_active_at, so this stays a HOT update like the logout's.
const RECORD_ACTIVITY = namedStatement(
  'porta_session_activity',
  'UPDATE sessions SET last_active_at = $1 WHERE id = $2 AND last_active_at < $3',
);
// `u` holds the row only when this statement ended it; its identity and expiry come back from it. The
// second branch reports a session that exists but was already inactive (id, NULLs). Its NOT EXISTS is
// uncorrelated, so PostgreSQL plans it as a one-time filter and, when the UPDATE ended a session (every
// real logout), never runs its index scan: one lookup by the token's digest, as a bare UPDATE would do.
const BY_TOKEN_ENDED_OR_INACTIVE =
  'SELECT id, identity_id, expires_at, authenticated_at, last_active_at FROM u ' +
  'UNION ALL SELECT id, NULL, NULL, NULL, NULL FROM sessions WHERE token_hash = $1 AND NOT EXISTS (SELECT 1 FROM u)';
const REVOKE_BY_TOKEN = namedStatement(
  'porta_revoke_by_token',
  `WITH u AS (UPDATE sessions SET active = false WHERE token_hash = $1 AND active RETURNING ${ENDED_COLUMNS}) ${BY_TOKEN_ENDED_OR_INACTIVE}`,
);
const REVOKE_BY_ID = namedStatement(
  'porta_revoke_by_id',
  `WITH u AS (UPDATE sessions SET active = false WHERE id = $1 AND active RETURNING ${ENDED_COLUMNS}) ` +
    'SELECT u.id, u.identity_id, u.expires_at, u.authenticated_at, u.last_active_at, EXISTS (SELECT 1 FROM sessions WHERE id = $1) AS found FROM (SELECT 1) one LEFT JOIN u ON true',
);

// The same two statements, writing the ended session's event in the same statement (receivers configured).
const REVOKE_BY_TOKEN_EV = namedStatement(
  'porta_revoke_by_token_ev',
  `WITH u AS (UPDATE sessions SET active = false WHERE token_hash = $1 AND active RETURNING ${OUTBOX_SOURCE_COLUMNS})${outboxCtes(2, false)}` +
    BY_TOKEN_ENDED_OR_INACTIVE,
);
const REVOKE_BY_ID_EV = namedStatement(
  'porta_revoke_by_id_ev',
  `WITH u AS (UPDATE sessions SET active = false WHERE id = $1 AND active RETURNING ${OUTBOX_SOURCE_COLUMNS})${outboxCtes(2, false)}` +
    'SELECT u.id, u.identity_id, u.expires_at, u.authenticated_at, u.last_active_at, EXISTS (SELECT 1 FROM sessions WHERE id = $1) AS found FROM (SELECT 1) one LEFT JOIN u ON true',
);

export class PgSessionStore implements SessionStore {
  constructor(private readonly pool: pg.Pool) {}

  async createSession(s: Session, tokenHash: Buffer): Promise<void> {
    await this.pool.query(
      'INSERT INTO sessions (id, identity_id, token_hash, active, expires_at, authenticated_at, issued_at, last_active_at, aal, authentication_methods, devices, created_at, updated_at, embed_head, embed_devices) ' +
        'VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)',
      [s.id, s.identityId, tokenHash, s.active, s.expiresAt, s.authenticatedAt, s.issuedAt, s.lastActiveAt, s.aal, json(encodeMethods(s.authenticationMethods)), json(s.devices), s.createdAt, s.updatedAt, ...embedColumns(s)],
    );
  }

  async getSessionByTokenHash(tokenHash: Buffer, view?: 'identity'): Promise<SessionWithIdentity | null>;
  async getSessionByTokenHash(tokenHash: Buffer, view: 'embed'): Promise<SessionWithEmbed | null>;
  async getSessionByTokenHash(tokenHash: Buffer, view: 'session'): Promise<SessionOnly | null>;
  async getSessionByTokenHash(tokenHash: Buffer, view: SessionView = 'identity'): Promise<SessionWithIdentity | SessionWithEmbed | SessionOnly | null> {
    if (view === 'session') {
      const r = await this.pool.query<SessionHeadRow<PgColumns>>(GET_BY_TOKEN_SESSION([tokenHash]));
      return r.rows[0] ? { session: sessionHeadFromRow(PG, r.rows[0]), identity: null } : null;
    }
    if (view === 'embed') {
      const r = await this.pool.query<WhoamiRow<PgColumns>>(GET_BY_TOKEN_EMBED([tokenHash]));
      const row = r.rows[0];
      if (!row) return null;
      const whoami = whoamiFromRow(PG, row);
      if (whoami) return whoami;
      // A row written before its stored parts: read once more in full (only such rows pay for it).
      const full = await this.getSessionByTokenHash(tokenHash, 'identity');
      return full && whoamiFromFull(full);
    }
    const r = await this.pool.query<SessionRow & IdentityRow>(GET_BY_TOKEN([tokenHash]));
    const row = r.rows[0];
    return row ? { session: sessionFromRow(row), identity: identityFromRow(row) } : null;
  }

  async getSession(id: string, opts: { expandIdentity?: boolean } = {}): Promise<(Session & { identity?: Identity }) | null> {
    if (!isUuid(id)) return null;
    if (opts.expandIdentity) {
      const r = await this.pool.query<SessionRow & IdentityRow>(
        `SELECT ${SESSION_COLUMNS}, ${IDENTITY_COLUMNS} FROM sessions s JOIN identities i ON i.id = s.identity_id WHERE s.id = $1`,
        [id],
      );
      const row = r.rows[0];
      return row ? { ...sessionFromRow(row), identity: identityFromRow(row) } : null;
    }
    const r = await this.pool.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.id = $1`, [id]);
    return r.rows[0] ? sessionFromRow(r.rows[0]) : null;
  }

  async revokeSessionByTokenHash(tokenHash: Buffer, ended?: EndedSessionsSink): Promise<string | null> {
    const draft = ended?.outbox;
    const q = draft ? REVOKE_BY_TOKEN_EV([tokenHash, ...outboxValues(draft)]) : REVOKE_BY_TOKEN([tokenHash]);
    const r = await this.pool.query<{ id: string; identity_id: string | null; expires_at: Date | null; authenticated_at: Date | null; last_active_at: Date | null }>(q);
    const row = r.rows[0];
    ended?.(row?.identity_id ? [endedOf(row as EndedRow)] : []);
    return row?.id ?? null;
  }

  async revokeSessionById(id: string, ended?: EndedSessionsSink): Promise<'revoked' | 'inactive' | 'missing'> {
    if (!isUuid(id)) {
      ended?.([]);
      return 'missing';
    }
    const draft = ended?.outbox;
    const q = draft ? REVOKE_BY_ID_EV([id, ...outboxValues(draft)]) : REVOKE_BY_ID([id]);
    const r = await this.pool.query<{ id: string | null; identity_id: string | null; expires_at: Date | null; authenticated_at: Date | null; last_active_at: Date | null; found: boolean }>(q);
    const row = r.rows[0];
    const revoked = row.id !== null;
    ended?.(revoked ? [endedOf(row as unknown as EndedRow)] : []);
    return revoked ? 'revoked' : row.found ? 'inactive' : 'missing';
  }

  async revokeSessionOfIdentity(identityId: string, sessionId: string, ended?: EndedSessionsSink): Promise<void> {
    if (!isUuid(identityId) || !isUuid(sessionId)) return ended?.([]);
    const rows = await revokeReturning(this.pool, 'UPDATE sessions SET active = false WHERE id = $1 AND identity_id = $2 AND active', [sessionId, identityId], ended);
    ended?.(rows.map(endedOf));
  }

  async revokeOtherSessions(identityId: string, exceptSessionId: string, ended?: EndedSessionsSink): Promise<number> {
    if (!isUuid(identityId)) {
      ended?.([]);
      return 0;
    }
    // A non-uuid "except" id matches no session, so every active session is revoked.
    const rows = await revokeReturning(this.pool, 'UPDATE sessions SET active = false WHERE identity_id = $1 AND id::text != $2 AND active', [identityId, exceptSessionId], ended);
    ended?.(rows.map(endedOf));
    return rows.length;
  }

  async deleteSessionsOfIdentity(identityId: string, ended?: EndedSessionsSink): Promise<number> {
    if (!isUuid(identityId)) {
      ended?.([]);
      return 0;
    }
    const rows = await revokeReturning<EndedRow & { active: boolean }>(this.pool, 'DELETE FROM sessions WHERE identity_id = $1', [identityId], ended, { activeColumn: true });
    ended?.(rows.filter((row) => row.active).map(endedOf));
    return rows.length;
  }

  async countSessions(query: SessionFilter): Promise<number> {
    const w = sessionWhere(PG_WHERE, query);
    if (!w) return 0;
    const r = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM sessions s${w.sql}`, w.args);
    return Number(r.rows[0].n);
  }

  async listSessions(query: ListSessionsQuery): Promise<SessionPage> {
    const w = sessionWhere(PG_WHERE, query);
    if (!w) return { sessions: [] };
    if (query.pageToken) {
      const c = decodePageToken(query.pageToken);
      // Row comparison matches the (created_at DESC, id DESC) index order.
      w.and(`(s.created_at, s.id) < (${w.arg(new Date(c.createdAt))}, ${w.arg(c.id)})`);
    }
    const expand = query.expandIdentity === true;
    const sql =
      `SELECT ${SESSION_COLUMNS}${expand ? `, ${IDENTITY_COLUMNS}` : ''} FROM sessions s` +
      (expand ? ' JOIN identities i ON i.id = s.identity_id' : '') +
      w.sql +
      ` ORDER BY s.created_at DESC, s.id DESC LIMIT ${w.arg(query.limit + 1)} OFFSET ${w.arg(query.offset ?? 0)}`;
    const r = await this.pool.query<SessionRow & IdentityRow>(sql, w.args);
    const rows = r.rows;
    const more = rows.length > query.limit;
    if (more) rows.length = query.limit;
    const sessions = rows.map((row) => (expand ? { ...sessionFromRow(row), identity: identityFromRow(row) } : sessionFromRow(row)));
    const last = rows[rows.length - 1];
    return { sessions, nextPageToken: more && last ? encodePageToken({ createdAt: last.created_at.getTime(), id: last.id }) : undefined };
  }

  async updateSession(s: Session): Promise<void> {
    if (!isUuid(s.id)) return;
    await this.pool.query(
      // last_active_at only moves forward: a whoami recording activity meanwhile is not undone.
      'UPDATE sessions SET expires_at = $1, authenticated_at = $2, authentication_methods = $3, aal = $4, devices = $5, active = (active AND $6), ' +
        'last_active_at = GREATEST(last_active_at, $8), updated_at = now(), embed_head = $9, embed_devices = $10 WHERE id = $7',
      [s.expiresAt, s.authenticatedAt, json(encodeMethods(s.authenticationMethods)), s.aal, json(s.devices), s.active, s.id, s.lastActiveAt, ...embedColumns(s)],
    );
  }

  async recordActivity(sessionId: string, at: Date, staleBefore: Date): Promise<void> {
    if (!isUuid(sessionId)) return;
    await this.pool.query(RECORD_ACTIVITY([at, sessionId, staleBefore]));
  }

  async rotateSessionToken(sessionId: string, tokenHash: Buffer): Promise<void> {
    if (!isUuid(sessionId)) return;
    await this.pool.query('UPDATE sessions SET token_hash = $1, updated_at = now() WHERE id = $2', [tokenHash, sessionId]);
  }

  async deleteExpiredSessions(before: Date, limit: number): Promise<number> {
    const r = await this.pool.query('DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at < $1 LIMIT $2)', [before, limit]);
    return r.rowCount ?? 0;
  }
}
