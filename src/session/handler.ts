import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Servers } from '../http/server.js';
import { defineRoutes } from '../http/routes.js';
import { PortaError } from '../http/errors.js';
import { sendError } from '../http/writer.js';
import { queryOf } from '../http/query.js';
import type { Authenticated } from './manager.js';
import type { SessionWithEmbed } from './types.js';
import { sessionBodyWithEmbed, sessionToJSON } from './json.js';
import { parseUUID } from '../http/go-params.js';
import { parseOffsetPage, setOffsetHeaders } from '../http/pagination.js';
import { noContentJson, sessionPage, type SessionRouteDeps } from './deps.js';
import { registerAdminSessionRoutes } from './admin.js';
import { errCannotRevokeCurrent, errNoSessionCookie, errWhoamiUnauthorized } from '../http/catalogue/index.js';

// Kratos's session.ErrNoSessionFound wrapping the fetch error: the outer error has no id (spec §1.5).
const whoamiUnauthorized = errWhoamiUnauthorized;
const noSessionCookie = errNoSessionCookie;

/** "No usable session" becomes the endpoint's own 401; other failures stay as they are. */
const asEndpoint401 = (err: unknown, unauthorized: () => PortaError): unknown =>
  err instanceof PortaError && err.code === 401 ? unauthorized() : err;

/** Runs the fetch and maps "no usable session" to the endpoint's own 401; other failures propagate. */
async function authenticate<T>(fetch: Promise<T>, unauthorized: () => PortaError): Promise<T> {
  try {
    return await fetch;
  } catch (err) {
    throw asEndpoint401(err, unauthorized);
  }
}

const activeSession = (deps: SessionRouteDeps, req: FastifyRequest) => deps.sessions.fetchFromRequest(req, { requireActiveIdentity: true, recordActivity: true });

function whoamiHandler(deps: SessionRouteDeps) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    let auth: Authenticated<SessionWithEmbed>;
    // Awaited here rather than through authenticate(): whoami is the hottest path, and each async layer
    // costs it a promise and a microtask turn.
    try {
      auth = await deps.sessions.fetchForWhoami(req);
    } catch (err) {
      return sendError(req, reply, asEndpoint401(err, whoamiUnauthorized));
    }
    const { session, identity } = auth;
    reply.header('x-kratos-authenticated-identity-id', identity.id);
    // Only a cookie-borne session gets its cookie refreshed, and only when the session outlived it.
    if (auth.via === 'cookie' && (!auth.cookieExpiresAt || auth.cookieExpiresAt.getTime() < session.expiresAt.getTime())) {
      deps.sessions.issueCookie(reply, auth.token, session);
    }
    // A string body is sent as it is (the reply serializer only runs for objects), so the type is set here.
    return reply.code(200).header('content-type', 'application/json; charset=utf-8').send(sessionBodyWithEmbed(session, identity, auth.embed, deps.config, auth.sessionEmbed));
  };
}

/** Public routes: whoami and the caller's own sessions. */
export function registerPublicSessionRoutes(servers: Servers, deps: SessionRouteDeps): void {
  const app = servers.public;
  const store = deps.persister.sessions;
  const whoami = whoamiHandler(deps);

  // DELETE on this static path would otherwise shadow /sessions/{id} with id "whoami", which Kratos answers with whoami.
  defineRoutes(app, '/sessions/whoami', { GET: whoami, POST: whoami, PUT: whoami, PATCH: whoami, DELETE: whoami }, { csrf: 'exempt' });

  defineRoutes(app, '/sessions', {
    GET: async (req, reply) => {
      const { session } = await authenticate(activeSession(deps, req), noSessionCookie);
      const page = parseOffsetPage(queryOf(req));
      const { sessions, total } = await sessionPage(store, {
        identityId: session.identityId,
        active: true,
        excludeSessionId: session.id,
        expandIdentity: true,
        ...deps.sessions.limits.cutoffs(),
      }, page);
      setOffsetHeaders(req, reply, total, page);
      return reply.code(200).send(sessions.map((s) => sessionToJSON(s, { config: deps.config, identity: s.identity ?? null, devices: true })));
    },
    DELETE: async (req, reply) => {
      const { session } = await authenticate(activeSession(deps, req), noSessionCookie);
      const { count } = await deps.sessions.revokeOtherSessions(session.identityId, session.id, 'self_service_revoke_others');
      return reply.code(200).send({ count });
    },
  }, { csrf: 'exempt' });

  defineRoutes(app, '/sessions/:id', {
    DELETE: async (req, reply) => {
      const raw = (req.params as { id: string }).id;
      if (raw === 'whoami') return whoami(req, reply);
      const { session } = await authenticate(activeSession(deps, req), noSessionCookie);
      const id = parseUUID(raw);
      if (id === session.id) throw errCannotRevokeCurrent();
      await deps.sessions.revokeSessionOfIdentity(session.identityId, id, 'self_service_revoke');
      return noContentJson(reply);
    },
  }, { csrf: 'exempt' });
}

/**
 * whoami, /sessions, /admin/sessions..., /admin/identities/{id}/sessions. The public
 * /identities/{id}/sessions redirect belongs to the identity module's public 307s.
 */
export function registerSessionRoutes(servers: Servers, deps: SessionRouteDeps): void {
  registerPublicSessionRoutes(servers, deps);
  registerAdminSessionRoutes(servers, deps);
}
