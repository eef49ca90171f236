import type { FastifyReply, FastifyRequest } from 'fastify';
import { isJsonRequest } from '../../http/negotiate.js';
import { queryOf } from '../../http/query.js';
import { isPortaError, sendError } from '../../http/writer.js';
import { seeOther } from '../errors/redirect.js';
import type { LogoutDeps } from './deps.js';
import { errHead, errPrefetch, isHttps, isPrefetch } from './request.js';
import { errLogoutTokenMismatch, errLogoutTokenMissing, errNoRows } from '../../http/catalogue/index.js';

/**
 * GET /self-service/logout (updateLogoutFlow), in Kratos's order: token present, session, token
 * matches; then revoke exactly the authenticated session, clear its cookie, rotate CSRF, and only then
 * validate return_to (so a bad return_to still logs out, as in Kratos). One read and one write, both by
 * the token's digest.
 */
export async function updateLogoutFlow(deps: LogoutDeps, defaultHref: string, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  // Not forwarded: a prefetch must get a plain, non-cacheable 4xx, never a redirect it could follow.
  if (isPrefetch(req)) return sendError(req, reply, errPrefetch());
  if (req.method === 'HEAD') return sendError(req, reply, errHead());
  const { sessions, errors } = deps;
  try {
    const token = queryOf(req).get('token');
    if (!token) return errors.forward(req, reply, errLogoutTokenMissing());

    let auth;
    try {
      auth = await sessions.fetchSessionFromRequest(req);
    } catch (err) {
      if (isPortaError(err) && err.code === 401) await clearStaleCookie(deps, req, reply);
      throw err;
    }
    if (!sessions.logoutTokenMatches(auth.session.id, token)) return errors.forward(req, reply, errLogoutTokenMismatch());

    // Whatever credential carried the session, that session and no other is the one revoked: by the
    // digest it was just read by (a token names one session for good), so the write walks the index
    // pages the read has just brought in rather than the id index's.
    const { sessionId, ended } = await sessions.revokeSessionByToken(auth.tokenHash, 'self_service_logout');
    if (sessionId === null) return errors.forward(req, reply, errNoRows());
    const hooks = ended.length > 0 ? deps.logoutHooks : undefined;
    if (auth.via === 'cookie' || sessions.hasSessionCookie(req)) sessions.clearCookie(reply);
    deps.csrf.regenerate(req, reply);

    const returnTo = deps.returnTo.fromRequest(req, () => deps.config.logoutRedirectURL);
    if (deps.config.logoutClearBrowserData && isHttps(req)) reply.header('clear-site-data', '"cookies", "storage", "cache"');
    const json = isJsonRequest(req);
    if (hooks) {
      // The read above was the session's head only: the hooks read the ended session and its identity.
      await hooks.run(req, { sessionId: auth.session.id }, { type: 'browser', return_to: json ? null : (returnTo?.href ?? defaultHref) });
    }
    if (json) return reply.code(204).send();
    return seeOther(req, reply, returnTo?.href ?? defaultHref);
  } catch (err) {
    return errors.forward(req, reply, err);
  }
}

/**
 * A 401 on the logout URL with a session cookie that names no active session: the cookie is useless,
 * so it is cleared in the same response (Kratos leaves it). When an X-Session-Token header masked the
 * cookie, the cookie is looked up on its own first, so a live session's cookie is never dropped.
 */
async function clearStaleCookie(deps: LogoutDeps, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const { sessions } = deps;
  if (!sessions.hasSessionCookie(req)) return;
  if (req.headers['x-session-token']) {
    const cookieOnly = Object.create(req, { headers: { value: { cookie: req.headers.cookie } } }) as FastifyRequest;
    try {
      if (await sessions.tryFetchSessionFromRequest(cookieOnly)) return;
    } catch {
      return;
    }
  }
  sessions.clearCookie(reply);
}
