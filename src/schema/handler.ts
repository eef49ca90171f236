import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';
import type { Servers } from '../http/server.js';
import { defineRoutes } from '../http/routes.js';
import { exemptFromCsrf } from '../http/csrf.js';
import { queryOf } from '../http/query.js';
import { redirectToServer } from '../http/port-redirect.js';
import { parseOffsetPage, setOffsetHeaders } from '../http/pagination.js';
import type { SchemaRegistry } from './registry.js';
import { strictUtf8 } from '../x/utf8.js';
import { errSchemaNotFound } from '../http/catalogue/index.js';

export interface SchemaDeps {
  config: Config;
  schemas: SchemaRegistry;
}

/** What Kratos names in its 404: the base64url-decoded id when the path segment decodes to text. */
function displayId(id: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(id) && id.length % 4 !== 1) {
    return strictUtf8(Buffer.from(id, 'base64url')) ?? id;
  }
  return id;
}

/** GET /schemas and /schemas/{id} on the public server; the admin server answers 307 to them, as Kratos does. */
export function registerSchemaRoutes(servers: Servers, deps: SchemaDeps): void {
  // Read-only and public: nosurf's exemption covers everything that starts with /schemas.
  exemptFromCsrf(servers.public, '/schemas', { prefix: true });
  defineRoutes(servers.public, '/schemas', {
    GET: async (req: FastifyRequest, reply: FastifyReply) => {
      const all = deps.schemas.list();
      const page = parseOffsetPage(queryOf(req));
      const items = all.slice(page.page * page.perPage, (page.page + 1) * page.perPage);
      setOffsetHeaders(req, reply, all.length, page);
      return reply.send(items.map((s) => ({ id: s.id, schema: s.schema })));
    },
  });
  defineRoutes(servers.public, '/schemas/:id', {
    GET: async (req: FastifyRequest, reply: FastifyReply) => {
      const { id } = req.params as { id: string };
      const schema = deps.schemas.get(id);
      if (!schema) throw errSchemaNotFound(displayId(id));
      return reply.header('content-type', 'application/json').send(schema.raw);
    },
  });
  const toPublic = (req: FastifyRequest, reply: FastifyReply) => redirectToServer(deps.config.publicBaseURL, req, reply, 'public');
  defineRoutes(servers.admin, '/admin/schemas', { GET: toPublic });
  defineRoutes(servers.admin, '/admin/schemas/:id', { GET: toPublic });
}
