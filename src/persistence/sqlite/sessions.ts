import type { Identity } from '../../identity/types.js';
import type { Session, SessionOnly, SessionView, SessionWithEmbed, SessionWithIdentity } from '../../session/types.js';
import type { EndedSessionRow, EndedSessionsSink, ListSessionsQuery, SessionFilter, SessionPage, SessionStore } from '../../session/store.js';
import { decodePageToken, encodeMethods, encodePageToken, SESSION_HEAD_COLUMNS, WHOAMI_COLUMNS } from '../codec.js';
import { gateWrites, type WriteGate, type WriteKinds } from './gate.js';
import type { GroupCommit } from './group-commit.js';
import { writeOutbox, type OutboxSourceRow } from './session-events.js';
import { ms, SQLITE_WHERE, statements, type DB, type Stmt } from './db.js';
import { sessionWhere, type Where } from '../sql/where.js';
import { SQLITE, type SqliteColumns } from '../sql/codec.js';
import { embedColumns, endedFromRow, sessionFromRow as sessionOf, sessionHeadFromRow, whoamiFromFull, whoamiFromRow, type SessionRow as SessionRowOf, type SessionHeadRow, type WhoamiRow } from '../sql/rows.js';
import { IDENTITY_COLUMNS, identityFromRow, type IdentityRow } from './identity-rows.js';

const SESSION_COLUMNS =
  's.id, s.identity_id, s.active, s.expires_at, s.authenticated_at, s.issued_at, s.last_active_at, s.aal, s.authentication_methods, s.devices, s.created_at, s.updated_at';

type SessionRow = SessionRowOf<SqliteColumns>;
const sessionFromRow = (r: SessionRow): Session => sessionOf(SQLITE, r);

/** The columns a revoking statement returns so its caller learns what ended without another read. */
export const ENDED_COLUMNS = 'id, identity_id, expires_at, authenticated_at, last_active_at, aal';
export type EndedRow = OutboxSourceRow;
export const endedOf = (r: EndedRow): EndedSessionRow => endedFromRow(SQLITE, r);

const GET_BY_TOKEN = `SELECT ${SESSION_COLUMNS}, ${IDENTITY_COLUMNS} FROM sessions s JOIN identities i ON i.id = s.identity_id WHERE s.token_hash = ?`;
// whoami: the session's head and the stored JSON of both rows, nothing to decode.
const GET_BY_TOKEN_EMBED = `SELECT ${WHOAMI_COLUMNS} FROM sessions s JOIN identities i ON i.id = s.identity_id WHERE s.token_hash = ?`;
// The logouts: the session's head alone.
const GET_BY_TOKEN_SESSION = `SELECT ${SESSION_HEAD_COLUMNS} FROM sessions s WHERE s.token_hash = ?`;
// Not updated_at: activity is not a change of the session an API client could observe.
const RECORD_ACTIVITY = 'UPDATE sessions SET last_active_at = ? WHERE id = ? AND last_active_at < ?';
// 1 → 0 revokes; anything else → -1 marks "was already inactive" so RETURNING (the new value) tells the cases apart.
// Exported for bench/group-commit.ts, which times this very statement.
export const REVOKE_BY_TOKEN = `UPDATE sessions SET active = CASE active WHEN 1 THEN 0 ELSE -1 END WHERE token_hash = ? RETURNING active, ${ENDED_COLUMNS}`;
const REVOKE_BY_ID = `UPDATE sessions SET active = CASE active WHEN 1 THEN 0 ELSE -1 END WHERE id = ? RETURNING active, ${ENDED_COLUMNS}`;

/**
 * Runs a revoking statement; with an outbox draft on the sink, inside one transaction that also writes
 * the events of the rows `ended` picks from its result (without one, exactly the statement as before).
 */
export function revoking<T>(db: DB, q: (sql: string) => Stmt, sink: EndedSessionsSink | undefined, run: () => T, ended: (r: T) => EndedRow[]): T {
  const draft = sink?.outbox;
  if (!draft) return run();
  return db.transaction(() => {
    const r = run();
    writeOutbox(q, draft, ended(r));
    return r;
  })();
}

const SESSION_ACCESS: WriteKinds<SessionStore> = {
  createSession: 'write',
  getSessionByTokenHash: 'read',
  getSession: 'read',
  revokeSessionByTokenHash: 'write',
  revokeSessionById: 'write',
  revokeSessionOfIdentity: 'write',
  revokeOtherSessions: 'write',
  deleteSessionsOfIdentity: 'write',
  countSessions: 'read',
  listSessions: 'read',
  updateSession: 'write',
  recordActivity: 'write',
  rotateSessionToken: 'write',
  deleteExpiredSessions: 'write',
};

export class SqliteSessionStore implements SessionStore {
  private readonly q;

  constructor(
    private readonly db: DB,
    gate: WriteGate,
    /** The logouts' revokes commit in groups (group-commit.ts); the rarer writes run on their own. */
    private readonly group: GroupCommit,
  ) {
    this.q = statements(db);
    gateWrites<SessionStore>(this, gate, SESSION_ACCESS);
  }

  private revoking<T>(sink: EndedSessionsSink | undefined, run: () => T, ended: (r: T) => EndedRow[]): T {
    return revoking(this.db, this.q, sink, run, ended);
  }

  async createSession(s: Session, tokenHash: Buffer): Promise<void> {
    this.q(
      'INSERT INTO sessions (id, identity_id, token_hash, active, expires_at, authenticated_at, issued_at, last_active_at, aal, authentication_methods, devices, created_at, updated_at, embed_head, embed_devices) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      s.id,
      s.identityId,
      tokenHash,
      s.active ? 1 : 0,
      ms(s.expiresAt),
      ms(s.authenticatedAt),
      ms(s.issuedAt),
      ms(s.lastActiveAt),
      s.aal,
      JSON.stringify(encodeMethods(s.authenticationMethods)),
      JSON.stringify(s.devices),
      ms(s.createdAt),
      ms(s.updatedAt),
      ...embedColumns(s),
    );
  }

  async getSessionByTokenHash(tokenHash: Buffer, view?: 'identity'): Promise<SessionWithIdentity | null>;
  async getSessionByTokenHash(tokenHash: Buffer, view: 'embed'): Promise<SessionWithEmbed | null>;
  async getSessionByTokenHash(tokenHash: Buffer, view: 'session'): Promise<SessionOnly | null>;
  async getSessionByTokenHash(tokenHash: Buffer, view: SessionView = 'identity'): Promise<SessionWithIdentity | SessionWithEmbed | SessionOnly | null> {
    if (view === 'session') {
      const row = this.q(GET_BY_TOKEN_SESSION).get(tokenHash) as SessionHeadRow<SqliteColumns> | undefined;
      return row ? { session: sessionHeadFromRow(SQLITE, row), identity: null } : null;
    }
    if (view === 'embed') {
      const row = this.q(GET_BY_TOKEN_EMBED).get(tokenHash) as WhoamiRow<SqliteColumns> | undefined;
      if (!row) return null;
      const whoami = whoamiFromRow(SQLITE, row);
      if (whoami) return whoami;
      // A row written before its stored parts: read once more in full (only such rows pay for it).
      const full = await this.getSessionByTokenHash(tokenHash, 'identity');
      return full && whoamiFromFull(full);
    }
    const row = this.q(GET_BY_TOKEN).get(tokenHash) as (SessionRow & IdentityRow) | undefined;
    return row ? { session: sessionFromRow(row), identity: identityFromRow(row) } : null;
  }

  async getSession(id: string, opts: { expandIdentity?: boolean } = {}): Promise<(Session & { identity?: Identity }) | null> {
    if (opts.expandIdentity) {
      const row = this.q(`SELECT ${SESSION_COLUMNS}, ${IDENTITY_COLUMNS} FROM sessions s JOIN identities i ON i.id = s.identity_id WHERE s.id = ?`).get(id) as
        | (SessionRow & IdentityRow)
        | undefined;
      return row ? { ...sessionFromRow(row), identity: identityFromRow(row) } : null;
    }
    const row = this.q(`SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.id = ?`).get(id) as SessionRow | undefined;
    return row ? sessionFromRow(row) : null;
  }

  async revokeSessionByTokenHash(tokenHash: Buffer, ended?: EndedSessionsSink): Promise<string | null> {
    const row = await this.group.run(() =>
      this.revoking(
        ended,
        () => this.q(REVOKE_BY_TOKEN).get(tokenHash) as (EndedRow & { active: number }) | undefined,
        (r) => (r && r.active === 0 ? [r] : []),
      ),
    );
    ended?.(row && row.active === 0 ? [endedOf(row)] : []);
    return row ? row.id : null;
  }

  async revokeSessionById(id: string, ended?: EndedSessionsSink): Promise<'revoked' | 'inactive' | 'missing'> {
    const row = await this.group.run(() =>
      this.revoking(
        ended,
        () => this.q(REVOKE_BY_ID).get(id) as (EndedRow & { active: number }) | undefined,
        (r) => (r && r.active === 0 ? [r] : []),
      ),
    );
    ended?.(row && row.active === 0 ? [endedOf(row)] : []);
    if (!row) return 'missing';
    return row.active === 0 ? 'revoked' : 'inactive';
  }

  async revokeSessionOfIdentity(identityId: string, sessionId: string, ended?: EndedSessionsSink): Promise<void> {
    const rows = this.revoking(
      ended,
      () => this.q(`UPDATE sessions SET active = 0 WHERE id = ? AND identity_id = ? AND active = 1 RETURNING ${ENDED_COLUMNS}`).all(sessionId, identityId) as EndedRow[],
      (r) => r,
    );
    ended?.(rows.map(endedOf));
  }

  async revokeOtherSessions(identityId: string, exceptSessionId: string, ended?: EndedSessionsSink): Promise<number> {
    const rows = this.revoking(
      ended,
      () => this.q(`UPDATE sessions SET active = 0 WHERE identity_id = ? AND id != ? AND active = 1 RETURNING ${ENDED_COLUMNS}`).all(identityId, exceptSessionId) as EndedRow[],
      (r) => r,
    );
    ended?.(rows.map(endedOf));
    return rows.length;
  }

  async deleteSessionsOfIdentity(identityId: string, ended?: EndedSessionsSink): Promise<number> {
    const rows = this.revoking(
      ended,
      () => this.q(`DELETE FROM sessions WHERE identity_id = ? RETURNING active, ${ENDED_COLUMNS}`).all(identityId) as Array<EndedRow & { active: number }>,
      (r) => r.filter((row) => row.active === 1),
    );
    ended?.(rows.filter((r) => r.active === 1).map(endedOf));
    return rows.length;
  }

  async countSessions(query: SessionFilter): Promise<number> {
    const w = sessionWhere(SQLITE_WHERE, query) as Where;
    const row = this.q(`SELECT count(*) AS n FROM sessions s${w.sql}`).get(...w.args) as { n: number };
    return row.n;
  }

  async listSessions(query: ListSessionsQuery): Promise<SessionPage> {
    const w = sessionWhere(SQLITE_WHERE, query) as Where;
    if (query.pageToken) {
      const c = decodePageToken(query.pageToken);
      w.and(`(s.created_at < ${w.arg(c.createdAt)} OR (s.created_at = ${w.arg(c.createdAt)} AND s.id < ${w.arg(c.id)}))`);
    }
    const expand = query.expandIdentity === true;
    const sql =
      `SELECT ${SESSION_COLUMNS}${expand ? `, ${IDENTITY_COLUMNS}` : ''} FROM sessions s` +
      (expand ? ' JOIN identities i ON i.id = s.identity_id' : '') +
      w.sql +
      // One extra row says whether another page exists without a count query.
      ` ORDER BY s.created_at DESC, s.id DESC LIMIT ${w.arg(query.limit + 1)} OFFSET ${w.arg(query.offset ?? 0)}`;
    const rows = this.q(sql).all(...w.args) as Array<SessionRow & IdentityRow>;
    const more = rows.length > query.limit;
    if (more) rows.length = query.limit;
    const sessions = rows.map((r) => (expand ? { ...sessionFromRow(r), identity: identityFromRow(r) } : sessionFromRow(r)));
    const last = rows[rows.length - 1];
    return { sessions, nextPageToken: more && last ? encodePageToken({ createdAt: last.created_at, id: last.id }) : undefined };
  }

  async updateSession(s: Session): Promise<void> {
    // `active` may only fall: a revoke between the caller's read and this write must stick (-1 counts as inactive).
    // last_active_at only moves forward: a whoami recording activity meanwhile is not undone.
    this.q(
      'UPDATE sessions SET expires_at = ?, authenticated_at = ?, last_active_at = MAX(last_active_at, ?), authentication_methods = ?, aal = ?, devices = ?, active = CASE WHEN active = 1 AND ? THEN 1 ELSE 0 END, updated_at = ?, embed_head = ?, embed_devices = ? WHERE id = ?',
    ).run(
      ms(s.expiresAt),
      ms(s.authenticatedAt),
      ms(s.lastActiveAt),
      JSON.stringify(encodeMethods(s.authenticationMethods)),
      s.aal,
      JSON.stringify(s.devices),
      s.active ? 1 : 0,
      Date.now(),
      ...embedColumns(s),
      s.id,
    );
  }

  async recordActivity(sessionId: string, at: Date, staleBefore: Date): Promise<void> {
    this.q(RECORD_ACTIVITY).run(ms(at), sessionId, ms(staleBefore));
  }

  async rotateSessionToken(sessionId: string, tokenHash: Buffer): Promise<void> {
    this.q('UPDATE sessions SET token_hash = ?, updated_at = ? WHERE id = ?').run(tokenHash, Date.now(), sessionId);
  }

  async deleteExpiredSessions(before: Date, limit: number): Promise<number> {
    return this.q('DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at < ? LIMIT ?)').run(ms(before), limit).changes;
  }
}
