import type { Identity } from '../identity/types.js';
import type { Session, SessionOnly, SessionWithEmbed, SessionWithIdentity } from './types.js';
import type { SessionEventDraft } from './events/store.js';

/**
 * A session that a revoking statement took from stored-active to revoked or deleted, read from that
 * statement's own RETURNING (no extra read). Whether it was also unexpired is for the caller to judge.
 */
export interface EndedSessionRow {
  id: string;
  identityId: string;
  expiresAt: Date;
  /** With lastActiveAt: whether the session was already over by the session limits (no event then). */
  authenticatedAt: Date;
  lastActiveAt: Date;
}

/**
 * The optional last argument of every operation that ends sessions: called once, after the write,
 * with the rows that statement ended (possibly none). The session manager passes it to learn what
 * ended without an extra statement, so the return values stay what callers already rely on.
 */
export type EndedSessionsSink = ((ended: EndedSessionRow[]) => void) & { readonly outbox?: SessionEventDraft };

export interface ListSessionsQuery {
  identityId?: string;
  /** true: stored active and unexpired; false: the rest; undefined: all. */
  active?: boolean;
  excludeSessionId?: string;
  limit: number;
  /** Opaque keyset token returned as `nextPageToken` by the previous page. */
  pageToken?: string;
  /** Offset pagination instead (skips this many rows of the same order); not combined with pageToken. */
  offset?: number;
  /** Load the identity (without credentials) of each session in the same statement. */
  expandIdentity?: boolean;
  /**
   * The session limits (session/limits.ts cutoffs) for the `active` filter: a session last used at or
   * before `idleBefore`, or authenticated at or before `authenticatedBefore`, is not active.
   */
  idleBefore?: Date;
  authenticatedBefore?: Date;
}

export type SessionFilter = Pick<ListSessionsQuery, 'identityId' | 'active' | 'excludeSessionId' | 'idleBefore' | 'authenticatedBefore'>;

export interface SessionPage {
  sessions: Array<Session & { identity?: Identity }>;
  nextPageToken?: string;
}

/**
 * Session storage. Hot paths (whoami, logout) use exactly one indexed statement per call:
 * getSessionByTokenHash, revokeSessionByTokenHash, revokeSessionById. Only the session manager calls
 * the revoking operations (session/revoke.ts), passing `ended` so every end of a session is observed.
 */
export interface SessionStore {
  createSession(session: Session, tokenHash: Buffer): Promise<void>;
  /**
   * One indexed read: session by token digest, joined with its identity (no credentials). The view
   * narrows it, still one statement: 'embed' (whoami) reads the identity's stored JSON instead of
   * decoding its columns, 'session' (the logouts) reads no identity at all.
   */
  getSessionByTokenHash(tokenHash: Buffer, view?: 'identity'): Promise<SessionWithIdentity | null>;
  getSessionByTokenHash(tokenHash: Buffer, view: 'embed'): Promise<SessionWithEmbed | null>;
  getSessionByTokenHash(tokenHash: Buffer, view: 'session'): Promise<SessionOnly | null>;
  getSession(id: string, opts?: { expandIdentity?: boolean }): Promise<(Session & { identity?: Identity }) | null>;
  /**
   * Sets active=false for the session with this token digest, whatever its state, in one statement.
   * Returns the session id, or null when no session has this token.
   */
  revokeSessionByTokenHash(tokenHash: Buffer, ended?: EndedSessionsSink): Promise<string | null>;
  /** Sets active=false; 'revoked' if it was active, 'inactive' if it was already revoked, 'missing' otherwise. */
  revokeSessionById(id: string, ended?: EndedSessionsSink): Promise<'revoked' | 'inactive' | 'missing'>;
  /** DELETE /sessions/{id}: revoke only if the session belongs to the identity. */
  revokeSessionOfIdentity(identityId: string, sessionId: string, ended?: EndedSessionsSink): Promise<void>;
  /** DELETE /sessions: revoke every other active session of the identity; returns how many. */
  revokeOtherSessions(identityId: string, exceptSessionId: string, ended?: EndedSessionsSink): Promise<number>;
  /** DELETE /admin/identities/{id}/sessions: hard delete; returns how many rows (the active ones go to `ended`). */
  deleteSessionsOfIdentity(identityId: string, ended?: EndedSessionsSink): Promise<number>;
  /** One page in the database, newest first (created_at DESC, id DESC); `limit` is the caller's capped page size. */
  listSessions(query: ListSessionsQuery): Promise<SessionPage>;
  /** How many sessions match the filters of a list query (for X-Total-Count). */
  countSessions(query: SessionFilter): Promise<number>;
  /**
   * Writes expiresAt, authenticatedAt, authenticationMethods, aal, devices of an existing session, and
   * lastActiveAt when it is later than the stored one. `active`
   * can only go from true to false here: a revoke that lands between a caller's read and this write (an
   * admin extend, a refresh login) must never be undone.
   */
  updateSession(session: Session): Promise<void>;
  /**
   * Records a use of the session at `at`, only if the stored activity is older than `staleBefore`: one
   * conditional UPDATE, so concurrent readers of one session write it once per granularity at most.
   */
  recordActivity(sessionId: string, at: Date, staleBefore: Date): Promise<void>;
  /** Replaces the token digest of an existing session (a refresh login issues a new token). */
  rotateSessionToken(sessionId: string, tokenHash: Buffer): Promise<void>;
  /** Deletes up to `limit` sessions that expired before `before`; returns how many. */
  deleteExpiredSessions(before: Date, limit: number): Promise<number>;
}
