import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { SessionStore } from '../persistence/types.js';
import type { Identity } from '../identity/types.js';
import type { Session, SessionWithIdentity } from './types.js';

export interface AuthenticatedSession extends SessionWithIdentity {
  /** Which credential carried the token that authenticated this request. */
  via: 'header' | 'cookie' | 'bearer';
  tokenHash: Buffer;
}

export interface SessionManagerDeps {
  config: Config;
  store: SessionStore;
  logger: Logger;
}

/**
 * STUB (owned by the sessions helper). Kratos's session.ManagerHTTP: reading the session of a request,
 * issuing and clearing the session cookie, creating sessions after authentication.
 */
export class SessionManager {
  constructor(readonly deps: SessionManagerDeps) {}

  /**
   * Kratos FetchFromRequest: X-Session-Token, then the session cookie, then `Authorization: Bearer`.
   * One indexed read. Throws PortaError 401 `session_inactive` ("No active session was found in this
   * request.") when there is no credential, no such session, or it is revoked or expired. With
   * `requireActiveIdentity` (whoami, /sessions) an inactive identity also gives that 401.
   */
  async fetchFromRequest(_req: FastifyRequest, _opts?: { requireActiveIdentity?: boolean }): Promise<AuthenticatedSession> {
    throw new Error('not implemented');
  }
  /** Like fetchFromRequest but null instead of the 401. */
  async tryFetchFromRequest(_req: FastifyRequest, _opts?: { requireActiveIdentity?: boolean }): Promise<AuthenticatedSession | null> {
    throw new Error('not implemented');
  }
  /**
   * Creates and stores a new session (aal1, one authentication method, one device from the request's IP
   * and User-Agent) and returns it with its token. With `refresh`, re-authenticates that existing
   * session instead (same id, new token, authenticated_at renewed, method appended).
   */
  async activate(_req: FastifyRequest, _identity: Identity, _opts?: { method?: string; refresh?: Session }): Promise<{ session: Session; token: string }> {
    throw new Error('not implemented');
  }
  /** Sets the session cookie (session.cookie.* / cookies.* attributes; Max-Age when persistent). */
  issueCookie(_reply: FastifyReply, _token: string, _session: Session): void {
    throw new Error('not implemented');
  }
  /** Clears the session cookie with exactly the attributes it is set with. */
  clearCookie(_reply: FastifyReply): void {
    throw new Error('not implemented');
  }
  /** True when the request carries a session cookie at all (decodable or not). */
  hasSessionCookie(_req: FastifyRequest): boolean {
    throw new Error('not implemented');
  }
  /** The session's logout token (derived with an HMAC under secrets, see x/tokens deriveLogoutToken). */
  logoutToken(_sessionId: string): string {
    throw new Error('not implemented');
  }
  /** Constant-time check of a logout token against every configured secret. */
  logoutTokenMatches(_sessionId: string, _candidate: string): boolean {
    throw new Error('not implemented');
  }
}
