import type { FastifyRequest } from 'fastify';
import type { Servers } from '../http/server.js';
import { defineRoutes } from '../http/routes.js';
import { PortaError } from '../http/errors.js';
import { queryOf, type Query } from '../http/query.js';
import { redirectToServer } from '../http/port-redirect.js';
import { sessionToJSON } from './json.js';
import { parseGoBool, parseUUID } from '../http/go-params.js';
import { parseKeysetPage, parseOffsetPage, setKeysetHeaders, setOffsetHeaders } from '../http/pagination.js';
import { noContentJson, sessionPage, type SessionRouteDeps } from './deps.js';
import { errBadExpand, errNoRows, errPageToken, errParam } from '../http/catalogue/index.js';

interface Expand {
  identity: boolean;
  devices: boolean;
}

/** session.ParseExpandable over every `expand` value, case-insensitive. */
function parseExpand(q: Query): Expand {
  const out = { identity: false, devices: false };
  for (const e of q.getAll('expand')) {
    const v = e.toLowerCase();
    if (v === 'identity') out.identity = true;
    else if (v === 'devices') out.devices = true;
    else throw errBadExpand(String(e));
  }
  return out;
}

/** The `active` filter: strconv.ParseBool, empty meaning "no filter". */
function parseActive(q: Query): boolean | undefined {
  const raw = q.get('active') ?? '';
  if (raw === '') return undefined;
  const v = parseGoBool(raw);
  if (v === undefined) throw errParam('active');
  return v;
}

const idParam = (req: FastifyRequest) => (req.params as { id: string }).id;

/** Admin routes: /admin/sessions..., /admin/identities/{id}/sessions. */
export function registerAdminSessionRoutes(servers: Servers, deps: SessionRouteDeps): void {
  const app = servers.admin;
  const store = deps.persister.sessions;
  const { config } = deps;

  defineRoutes(app, '/admin/sessions', {
    GET: async (req, reply) => {
      const q = queryOf(req);
      const active = parseActive(q);
      const page = parseKeysetPage(q);
      const expand = parseExpand(q);
      let result;
      try {
        // The identity is always loaded: `active` must reflect a disabled identity whether or not it is shown.
        result = await store.listSessions({ active, limit: page.size, pageToken: page.storeToken, expandIdentity: true, ...deps.sessions.limits.cutoffs() });
      } catch (err) {
        if (page.storeToken !== undefined && (!(err instanceof PortaError) || err.code === 400)) {
          throw errPageToken();
        }
        throw err;
      }
      const list = result.sessions;
      const last = list[list.length - 1];
      setKeysetHeaders(req, reply, page.size, result.nextPageToken && last ? { lastId: last.id, storeToken: result.nextPageToken } : undefined);
      return reply.code(200).send(
        list.map((s) =>
          sessionToJSON(s, { config, identity: s.identity ?? null, embedIdentity: expand.identity, devices: expand.devices, metadataAdmin: true }),
        ),
      );
    },
    // Kratos mounts the public "revoke my other sessions" here only as a redirect to the public port.
    DELETE: (req, reply) => redirectToServer(config.publicBaseURL, req, reply, 'public'),
  });

  defineRoutes(app, '/admin/sessions/:id', {
    GET: async (req, reply) => {
      if (idParam(req) === 'whoami') return redirectToServer(config.publicBaseURL, req, reply, 'public');
      const id = parseUUID(idParam(req));
      const expand = parseExpand(queryOf(req));
      const s = await store.getSession(id, { expandIdentity: true });
      if (!s) throw errNoRows();
      return reply
        .code(200)
        .send(sessionToJSON(s, { config, identity: s.identity ?? null, embedIdentity: expand.identity, devices: expand.devices || 'empty', metadataAdmin: true }));
    },
    DELETE: async (req, reply) => {
      const id = parseUUID(idParam(req));
      if ((await deps.sessions.revokeSession(id, 'admin_disable_session')).outcome === 'missing') throw errNoRows();
      return noContentJson(reply);
    },
  });

  defineRoutes(app, '/admin/sessions/:id/extend', {
    PATCH: async (req, reply) => {
      const id = parseUUID(idParam(req));
      const s = await store.getSession(id, { expandIdentity: true });
      if (!s) throw errNoRows();
      const now = Date.now();
      const { limits } = deps.sessions;
      // Session.CanBeRefreshed: only within earliest_possible_extend of the expiry (default: the lifespan, so always).
      // A revoked session is not written: updateSession stores the whole row and must not race a revocation.
      // An idle one is over like a revoked one, and the new expiry never passes the absolute cap.
      if (s.active && !limits.isIdle(s, now) && s.expiresAt.getTime() - config.sessionEarliestPossibleExtendMs < now) {
        const extended = limits.clamp(new Date(now + config.sessionLifespanMs), s.authenticatedAt);
        if (extended.getTime() > s.expiresAt.getTime()) {
          s.expiresAt = extended;
          s.updatedAt = new Date(now);
          await store.updateSession(s);
        }
      }
      // Kratos answers with the plain Session (ExpandDefault: identity, no admin metadata, devices []).
      return reply.code(200).send(sessionToJSON(s, { config, identity: s.identity ?? null, devices: 'empty' }));
    },
  });

  defineRoutes(app, '/admin/identities/:id/sessions', {
    GET: async (req, reply) => {
      const identityId = parseUUID(idParam(req));
      const q = queryOf(req);
      const active = parseActive(q);
      const page = parseOffsetPage(q);
      const { sessions, total } = await sessionPage(store, { identityId, active, expandIdentity: true, ...deps.sessions.limits.cutoffs() }, page);
      setOffsetHeaders(req, reply, total, page);
      return reply.code(200).send(sessions.map((s) => sessionToJSON(s, { config, identity: s.identity ?? null, devices: true, metadataAdmin: true })));
    },
    DELETE: async (req, reply) => {
      const identityId = parseUUID(idParam(req));
      if ((await deps.sessions.deleteSessionsOfIdentity(identityId, 'admin_delete_identity_sessions')).count === 0) throw errNoRows();
      return reply.code(204).send();
    },
  });
}
