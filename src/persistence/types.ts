import type { Identity } from '../identity/types.js';
import type { Session, SessionOnly, SessionWithEmbed, SessionWithIdentity } from '../session/types.js';
import type { FlowKind, StoredError, StoredFlow } from '../selfservice/flow/types.js';
import type { ThrottleStore } from '../throttle/store.js';
import type { CourierStore } from '../courier/store.js';
import type { NewCourierMessage } from '../courier/message.js';

/** Thrown by identity writes when a credential identifier (or external_id) is already taken. */
export class DuplicateCredentialsError extends Error {
  constructor(message = 'an identity with the same identifier exists already') {
    super(message);
  }
}

export interface ListIdentitiesQuery {
  limit: number;
  /** Keyset pagination: identities with id > afterId, ordered by id ASC. */
  afterId?: string;
  /** Legacy page pagination (page * per_page). */
  offset?: number;
  ids?: string[];
  credentialIdentifier?: { type: string; identifier: string };
}

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
 * What the store writes to the session-event outbox, in the same transaction (PostgreSQL: the same
 * statement) as the revocation: one event per ended session that was unexpired at `occurredAt`, and one
 * pending delivery per receiver. Present on the sink only while receivers are configured.
 */
export interface SessionEventDraft {
  causeId: string;
  reason: string;
  initiator: string;
  occurredAt: Date;
  receiverIds: readonly string[];
}

/**
 * The optional last argument of every operation that ends sessions: called once, after the write,
 * with the rows that statement ended (possibly none). The session manager passes it to learn what
 * ended without an extra statement, so the return values stay what callers already rely on.
 */
export type EndedSessionsSink = ((ended: EndedSessionRow[]) => void) & { readonly outbox?: SessionEventDraft };

export type DeliveryState = 'pending' | 'delivered' | 'failed' | 'expired' | 'orphaned';

/** One row of porta_session_event_deliveries (hooks-and-session-events-spec §C.4.3). */
export interface SessionEventDelivery {
  id: string;
  eventId: string;
  receiverId: string;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: Date;
  leaseUntil: Date | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

/** The frozen event a delivery carries. */
export interface SessionEvent {
  id: string;
  causeId: string;
  reason: string;
  initiator: string;
  sessionId: string;
  identityId: string;
  occurredAt: Date;
  session: { id: string; authenticated_at: string; expires_at: string; authenticator_assurance_level: string };
}

export interface ClaimedDelivery {
  delivery: SessionEventDelivery;
  event: SessionEvent;
}

/** What an attempt came to: delivered, retry at `nextAttemptAt`, or a final state. */
export type DeliveryOutcome =
  | { state: 'delivered'; status: number }
  | { state: 'pending'; nextAttemptAt: Date; status: number | null; error: string | null }
  | { state: 'failed' | 'expired' | 'orphaned'; status: number | null; error: string | null };

/** The outbox as the dispatcher and the admin routes see it. */
export interface SessionEventStore {
  /**
   * Takes up to `limit` due deliveries (pending, due, lease free or lapsed) by setting their lease, so
   * no other process sends them until `leaseUntil`; `attempts` counts this attempt.
   */
  claimDue(now: Date, leaseUntil: Date, limit: number): Promise<ClaimedDelivery[]>;
  /** Records an attempt's outcome and frees the lease. */
  finish(id: string, outcome: DeliveryOutcome, now: Date): Promise<void>;
  listDeliveries(query: { receiverId?: string; state?: DeliveryState; limit: number; afterId?: string }): Promise<SessionEventDelivery[]>;
  /** pending and due now; 'delivered' when it was delivered already (nothing changed). */
  retryDelivery(id: string, now: Date): Promise<'ok' | 'missing' | 'delivered'>;
  /** Deletes events older than `before` whose deliveries are all final; returns how many. */
  deleteFinishedEvents(before: Date, limit: number): Promise<number>;
}

/** Identity storage as domain operations. Every read returns identities with their credentials. */
export interface IdentityStore {
  /** Inserts the identity, its credentials and identifiers in one transaction. Throws DuplicateCredentialsError. */
  createIdentity(identity: Identity): Promise<void>;
  /**
   * Replaces the whole identity (traits, state, metadata, credentials, identifiers). False when it does not exist. Throws DuplicateCredentialsError.
   * With `revokeSessions` (disabling an identity), its active sessions are revoked in the same transaction and reported there.
   */
  updateIdentity(identity: Identity, opts?: { revokeSessions?: EndedSessionsSink }): Promise<boolean>;
  getIdentity(id: string): Promise<Identity | null>;
  /** Exact match on the stored (normalized) identifier. */
  findIdentityByCredentialIdentifier(type: string, identifier: string): Promise<Identity | null>;
  /**
   * The identity with this verifiable address (via + normalized value). Not indexed: the addresses live in a
   * JSON column, so this scans; it serves the rate-limited verification sends only.
   */
  findIdentityByVerifiableAddress(via: string, value: string): Promise<Identity | null>;
  /** Exact match on external_id (unique, indexed). */
  findIdentityByExternalId(externalId: string): Promise<Identity | null>;
  /**
   * Exact match on a stored (normalized) recovery address. The addresses live in a JSON column, so this
   * scans identities; recovery sends are throttled, which bounds how often it runs.
   */
  findIdentityByRecoveryAddress(via: string, value: string): Promise<Identity | null>;
  listIdentities(query: ListIdentitiesQuery): Promise<Identity[]>;
  countIdentities(): Promise<number>;
  /** Replaces one credential's config (password upgrade on login) without touching the rest. */
  updateCredentialConfig(identityId: string, type: string, config: Record<string, unknown>): Promise<void>;
  /** Deletes the identity and, in the same transaction, its sessions (the active ones go to `ended`). False when it does not exist. */
  deleteIdentity(id: string, ended?: EndedSessionsSink): Promise<boolean>;
}

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

export interface FlowStore {
  createFlow(flow: StoredFlow): Promise<void>;
  getFlow(kind: FlowKind, id: string): Promise<StoredFlow | null>;
  /**
   * Writes the flow's state. With `messages`, the courier rows are written in the same transaction, so a
   * flow that says "code sent" always has its mail queued, and a failed write queues nothing.
   */
  updateFlow(flow: StoredFlow, opts?: { messages?: NewCourierMessage[] }): Promise<void>;
  deleteExpiredFlows(before: Date, limit: number): Promise<number>;
}

export interface ErrorStore {
  createError(error: StoredError): Promise<void>;
  /** Returns the container and marks it seen. */
  getError(id: string): Promise<StoredError | null>;
  deleteOldErrors(before: Date, limit: number): Promise<number>;
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

export interface Persister {
  readonly dialect: 'sqlite' | 'postgres';
  readonly identities: IdentityStore;
  readonly sessions: SessionStore;
  readonly flows: FlowStore;
  readonly errors: ErrorStore;
  readonly throttles: ThrottleStore;
  readonly courier: CourierStore;
  readonly sessionEvents: SessionEventStore;
  /** Cheap round trip for /health/ready; rejects when the database is unreachable. */
  ping(): Promise<void>;
  migrationStatus(): Promise<MigrationStatus>;
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}
