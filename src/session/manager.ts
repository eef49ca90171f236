import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { EndedSessionsSink, SessionStore } from './store.js';
import type { Identity } from '../identity/types.js';
import { PortaError } from '../http/errors.js';
import { deriveLogoutToken, hashToken, newId, newSessionToken, safeEqual } from '../x/tokens.js';
import { encodeSessionCookie, readCookie, sessionClearCookie, sessionSetCookie } from './cookie.js';
import { extractToken } from './credentials.js';
import type { Device, Session, SessionHead, SessionOnly, SessionWithEmbed, SessionWithIdentity } from './types.js';
import { RevocationNotifier, type Ended, type RevokeReason, type SessionRevokedListener } from './revoke.js';
import { SessionLimits } from './limits.js';
import { errNoActiveSession } from '../http/catalogue/index.js';

export type { Ended, RevokeReason, RevokeInitiator, SessionRevokedEvent, SessionRevokedListener } from './revoke.js';

export type AuthenticatedSession = Authenticated<SessionWithIdentity>;

/** A session read (in one of its views) with how the request carried its token. */
export type Authenticated<R> = R & Credentials;

interface Credentials {
  /** Which credential carried the token that authenticated this request. */
  via: 'header' | 'cookie' | 'bearer';
  tokenHash: Buffer;
  /** The token itself, so a cookie can be re-issued for it; never logged, never serialized. */
  token: string;
  /** For cookie-authenticated requests: the session expiry the cookie was issued with. */
  cookieExpiresAt?: Date;
}

export interface FetchOptions {
  /** whoami and /sessions: an inactive identity has no session either. */
  requireActiveIdentity?: boolean;
  /** whoami and /sessions: this request is a use of the session for the inactivity timeout. */
  recordActivity?: boolean;
}

export interface SessionManagerDeps {
  config: Config;
  store: SessionStore;
  logger: Logger;
}

async function orNullOn401<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof PortaError && err.code === 401) return null;
    throw err;
  }
}

// Kratos truncates stored user agents and locations to 512 bytes.
const DEVICE_FIELD_MAX_BYTES = 512;
function truncateBytes(s: string, max: number): string {
  const b = Buffer.from(s, 'utf8');
  if (b.length <= max) return s;
  // Cut on a character boundary: drop trailing continuation bytes of a split sequence.
  let end = max;
  while (end > 0 && (b[end] & 0xc0) === 0x80) end--;
  return b.subarray(0, end).toString('utf8');
}

function deviceOf(req: FastifyRequest): Device {
  const ua = req.headers['user-agent'];
  const city = req.headers['cf-ipcity'];
  const country = req.headers['cf-ipcountry'];
  const location = [city, country].filter((v): v is string => typeof v === 'string' && v !== '').join(', ');
  return {
    id: newId(),
    ipAddress: req.ip ?? null,
    userAgent: typeof ua === 'string' ? truncateBytes(ua, DEVICE_FIELD_MAX_BYTES) : null,
    location: truncateBytes(location, DEVICE_FIELD_MAX_BYTES),
  };
}

/**
 * Kratos's session.ManagerHTTP: reading the session of a request, issuing and clearing the session
 * cookie, creating sessions after authentication, and ending them: every end of a session goes through
 * the revoke operations below, each one statement (or one transaction) that reports what it ended to
 * the `session.revoked` listeners.
 */
export class SessionManager {
  private readonly revocations: RevocationNotifier;
  /** porta.session.inactivity_timeout and max_lifetime (both off by default). */
  readonly limits: SessionLimits;

  constructor(readonly deps: SessionManagerDeps) {
    this.limits = new SessionLimits(deps.config);
    const events = deps.config.sessionEvents;
    this.revocations = new RevocationNotifier(
      deps.logger,
      (row, now) => this.limits.isLive(row, now),
      events.receivers.length > 0 ? (reason) => events.receiversFor(reason) : undefined,
      (now) => this.limits.cutoffs(now),
    );
  }

  /** Subscribes to `session.revoked` (one notification per call that ended sessions); returns the unsubscribe. */
  onRevoked(listener: SessionRevokedListener): () => void {
    return this.revocations.onRevoked(listener);
  }

  /** Ends one session by id (browser logout, admin disable). `outcome` is the store's: revoked, already inactive, or missing. */
  async revokeSession(sessionId: string, reason: RevokeReason): Promise<{ outcome: 'revoked' | 'inactive' | 'missing' } & Ended> {
    const r = await this.revocations.run(reason, (sink) => this.deps.store.revokeSessionById(sessionId, sink));
    return { outcome: r.result, ended: r.ended };
  }

  /** Ends the session of a token digest (API logout); `sessionId` is null when no session has that token. */
  async revokeSessionByToken(tokenHash: Buffer, reason: RevokeReason): Promise<{ sessionId: string | null } & Ended> {
    const r = await this.revocations.run(reason, (sink) => this.deps.store.revokeSessionByTokenHash(tokenHash, sink));
    return { sessionId: r.result, ended: r.ended };
  }

  /** Ends one session only if it belongs to the identity (DELETE /sessions/{id}). */
  async revokeSessionOfIdentity(identityId: string, sessionId: string, reason: RevokeReason): Promise<Ended> {
    const r = await this.revocations.run(reason, (sink) => this.deps.store.revokeSessionOfIdentity(identityId, sessionId, sink));
    return { ended: r.ended };
  }

  /** Ends every other active session of the identity (DELETE /sessions); `count` is what the store flipped. */
  async revokeOtherSessions(identityId: string, keepSessionId: string, reason: RevokeReason): Promise<{ count: number } & Ended> {
    const r = await this.revocations.run(reason, (sink) => this.deps.store.revokeOtherSessions(identityId, keepSessionId, sink));
    return { count: r.result, ended: r.ended };
  }

  /** Deletes every session of the identity (DELETE /admin/identities/{id}/sessions); `count` is every row deleted. */
  async deleteSessionsOfIdentity(identityId: string, reason: RevokeReason): Promise<{ count: number } & Ended> {
    const r = await this.revocations.run(reason, (sink) => this.deps.store.deleteSessionsOfIdentity(identityId, sink));
    return { count: r.result, ended: r.ended };
  }

  /**
   * Ends sessions inside another domain's transaction (identity delete, identity disable): `work` passes
   * the sink to that store operation, and what it reports is notified once it has committed.
   */
  async revokeWith<T>(reason: RevokeReason, work: (ended: EndedSessionsSink) => Promise<T>): Promise<{ result: T } & Ended> {
    return this.revocations.run(reason, work);
  }

  /**
   * Kratos FetchFromRequest: X-Session-Token, then the session cookie, then `Authorization: Bearer`.
   * One indexed read. Throws PortaError 401 `session_inactive` ("No active session was found in this
   * request.") when there is no credential, no such session, or it is revoked, expired, past
   * `max_lifetime` or idle past `inactivity_timeout`. With `requireActiveIdentity` (whoami, /sessions) an
   * inactive identity also gives that 401. The session comes back with its expiry cut at the absolute
   * cap, so a cookie re-issued from it cannot outlive it either. `recordActivity` (whoami, /sessions)
   * counts this as a use: one conditional UPDATE when the timeout is on and the recorded use is older
   * than `activity_granularity`, otherwise no write.
   */
  fetchFromRequest(req: FastifyRequest, opts: FetchOptions = {}): Promise<AuthenticatedSession> {
    return this.fetchWith(req, opts, (h) => this.deps.store.getSessionByTokenHash(h));
  }

  /**
   * whoami's fetchFromRequest (requireActiveIdentity and recordActivity): the same checks and the same
   * one read, which brings the identity's stored JSON (its `embed`) instead of the decoded identity.
   */
  fetchForWhoami(req: FastifyRequest): Promise<Authenticated<SessionWithEmbed>> {
    return this.fetchWith(req, { requireActiveIdentity: true, recordActivity: true }, (h) => this.deps.store.getSessionByTokenHash(h, 'embed'));
  }

  /** fetchFromRequest for callers that need no identity (the logouts): a narrower read, no identity checks. */
  fetchSessionFromRequest(req: FastifyRequest): Promise<Authenticated<SessionOnly>> {
    return this.fetchWith(req, {}, (h) => this.deps.store.getSessionByTokenHash(h, 'session'));
  }

  // The three readers above hand back fetchWith's promise instead of being async themselves: an async
  // function that returns a promise adopts it through two more microtask turns, on every whoami and logout.
  private async fetchWith<R extends { session: SessionHead; identity: { state: string } | null }>(
    req: FastifyRequest,
    opts: FetchOptions,
    read: (tokenHash: Buffer) => Promise<R | null>,
  ): Promise<Authenticated<R>> {
    const { config, store } = this.deps;
    const found = extractToken(req, config.sessionCookie.name, config.cookieSecrets);
    if (!found) throw errNoActiveSession();
    const tokenHash = hashToken(found.token);
    const row = await read(tokenHash);
    if (!row) throw errNoActiveSession();
    const { session, identity } = row;
    const now = Date.now();
    if (!session.active || !this.limits.isLive(session, now)) throw errNoActiveSession();
    if (opts.requireActiveIdentity && identity?.state !== 'active') throw errNoActiveSession();
    session.expiresAt = this.limits.expiresAt(session);
    if (opts.recordActivity && this.limits.shouldRecordActivity(session, now)) {
      session.lastActiveAt = new Date(now);
      await store.recordActivity(session.id, session.lastActiveAt, new Date(now - this.limits.granularityMs));
    }
    return Object.assign(row, { via: found.via, tokenHash, token: found.token, cookieExpiresAt: found.cookie?.expiresAt });
  }

  /** Like fetchFromRequest but null instead of the 401. */
  async tryFetchFromRequest(req: FastifyRequest, opts: FetchOptions = {}): Promise<AuthenticatedSession | null> {
    return orNullOn401(this.fetchFromRequest(req, opts));
  }

  /** Like fetchSessionFromRequest but null instead of the 401. */
  async tryFetchSessionFromRequest(req: FastifyRequest): Promise<Authenticated<SessionOnly> | null> {
    return orNullOn401(this.fetchSessionFromRequest(req));
  }

  /**
   * Creates and stores a new session (the method's AAL, one authentication method, one device from the request's IP
   * and User-Agent) and returns it with its token. With `refresh`, re-authenticates that existing
   * session instead (same id, new token, authenticated_at renewed, method appended). Either way the
   * token is new, so a token known before the login is worthless after it (no fixation).
   */
  async activate(req: FastifyRequest, identity: Identity, opts: { method: string; aal?: 'aal1' | 'aal2'; refresh?: Session; id?: string }): Promise<{ session: Session; token: string }> {
    const { config, store } = this.deps;
    const now = new Date();
    // A refresh re-authenticates, so the absolute cap counts again from now, as for a new session.
    const expiresAt = this.limits.clamp(new Date(now.getTime() + config.sessionLifespanMs), now);
    const method = { method: opts.method, aal: opts.aal ?? 'aal1', completedAt: now };
    const token = newSessionToken();
    if (opts.refresh && opts.refresh.identityId === identity.id) {
      const session: Session = {
        ...opts.refresh,
        active: true,
        authenticatedAt: now,
        lastActiveAt: now,
        expiresAt,
        authenticationMethods: [...opts.refresh.authenticationMethods, method],
        updatedAt: now,
      };
      await store.updateSession(session);
      await store.rotateSessionToken(session.id, hashToken(token));
      return { session, token };
    }
    const session: Session = {
      // A login's after-hooks saw this id before the session existed (Kratos passes its new session).
      id: opts.id ?? newId(),
      identityId: identity.id,
      active: true,
      expiresAt,
      authenticatedAt: now,
      issuedAt: now,
      lastActiveAt: now,
      aal: method.aal,
      authenticationMethods: [method],
      devices: [deviceOf(req)],
      createdAt: now,
      updatedAt: now,
    };
    await store.createSession(session, hashToken(token));
    return { session, token };
  }

  /** The opaque, signed session cookie value for a token (also used by tests to build a Cookie header). */
  encodeCookie(token: string, session: Pick<Session, 'expiresAt'>): string {
    return encodeSessionCookie(this.deps.config.cookieSecrets[0], token, session.expiresAt);
  }

  /** Sets the session cookie (session.cookie.* / cookies.* attributes; Max-Age when persistent). */
  issueCookie(reply: FastifyReply, token: string, session: Pick<Session, 'expiresAt'>): void {
    reply.header('set-cookie', sessionSetCookie(this.deps.config.sessionCookie, this.encodeCookie(token, session), session.expiresAt));
  }

  /** Clears the session cookie with exactly the attributes it is set with. */
  clearCookie(reply: FastifyReply): void {
    reply.header('set-cookie', sessionClearCookie(this.deps.config.sessionCookie));
  }

  /** True when the request carries a session cookie at all (decodable or not). */
  hasSessionCookie(req: FastifyRequest): boolean {
    return readCookie(req.headers.cookie, this.deps.config.sessionCookie.name) !== undefined;
  }

  /** The session's logout token (derived with an HMAC under secrets, see x/tokens deriveLogoutToken). */
  logoutToken(sessionId: string): string {
    return deriveLogoutToken(this.deps.config.cookieSecrets[0], sessionId);
  }

  /** Constant-time check of a logout token against every configured secret. */
  logoutTokenMatches(sessionId: string, candidate: string): boolean {
    let ok = false;
    for (const secret of this.deps.config.cookieSecrets) {
      if (safeEqual(deriveLogoutToken(secret, sessionId), candidate)) ok = true;
    }
    return ok;
  }
}
