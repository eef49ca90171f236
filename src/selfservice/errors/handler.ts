import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.js';
import type { ErrorStore } from './store.js';
import type { Servers } from '../../http/server.js';
import { queryOf } from '../../http/query.js';
import { defineRoutes } from '../../http/routes.js';
import { redirectToServer } from '../../http/port-redirect.js';
import { goJson, sendError } from '../../http/writer.js';
import { isUUID, newId } from '../../x/tokens.js';
import { goTime } from '../../x/go/time.js';
import { errNoRows, errStub } from '../../http/catalogue/index.js';

export interface ErrorRoutesDeps {
  config: Config;
  persister: { errors: ErrorStore };
}

export const ROUTE_ERRORS = '/self-service/errors';

// Go's zero time.Time, as Kratos marshals the stub container's timestamps.
const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

function sendJson(reply: FastifyReply, body: unknown): FastifyReply {
  return reply.code(200).header('content-type', 'application/json; charset=utf-8').send(goJson(body));
}

/** GET /self-service/errors?id= (getFlowError); the admin route answers 307 to the public one, as Kratos's does. */
export function registerErrorRoutes(servers: Servers, deps: ErrorRoutesDeps): void {
  defineRoutes(servers.public, ROUTE_ERRORS, {
    GET: async (req: FastifyRequest, reply: FastifyReply) => {
      try {
        const q = queryOf(req);
        // Kratos: cmp.Or(error, id): the first non-empty one.
        const id = q.get('error') || q.get('id') || '';
        if (id === 'stub:500') {
          const stub = errStub().toBody();
          return sendJson(reply, { id: newId(), error: stub, created_at: GO_ZERO_TIME, updated_at: GO_ZERO_TIME });
        }
        if (!isUUID(id)) throw errNoRows();
        const c = await deps.persister.errors.getError(id.toLowerCase());
        if (!c) throw errNoRows();
        return sendJson(reply, { id: c.id, error: c.error, created_at: goTime(c.createdAt), updated_at: goTime(c.updatedAt) });
      } catch (err) {
        return sendError(req, reply, err);
      }
    },
  });
  defineRoutes(servers.admin, `/admin${ROUTE_ERRORS}`, {
    GET: (req, reply) => redirectToServer(deps.config.publicBaseURL, req, reply, 'public'),
  });
}
