import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';
import type { Servers } from '../http/server.js';
import { defineRoutes } from '../http/routes.js';
import { queryOf } from '../http/query.js';
import { redirectToServer } from '../http/port-redirect.js';
import { requestLinkWith } from '../x/go/url.js';
import { parseGoInt, parseUUID } from '../http/go-params.js';
import { MESSAGE_STATUSES, messageToJSON, type MessageStatus } from './message.js';
import type { CourierStore } from './store.js';
import { errBadMessageStatus, errNoRows, errPageToken, errParam } from '../http/catalogue/index.js';

export interface CourierRouteDeps {
  config: Config;
  persister: { courier: CourierStore };
}

// Kratos's courier list: keyset pages of 10 by default, at most 500.
const DEFAULT_PAGE = 10;
const MAX_PAGE = 500;
const TOKEN_START = 'v1';
const MAX_TOKEN = 200;

const badToken = errPageToken;

/** Page tokens are opaque to clients: unpadded base64url of `v1` (first page) or `v1 <created_at ms> <id>`. */
function encodeToken(pos?: { createdAt: Date; id: string }): string {
  return Buffer.from(pos ? `${TOKEN_START} ${pos.createdAt.getTime()} ${pos.id}` : TOKEN_START).toString('base64url');
}

function decodeToken(raw: string): { createdAt: Date; id: string } | undefined {
  if (raw.length > MAX_TOKEN) throw badToken();
  for (const c of raw) if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c === '-' || c === '_')) throw badToken();
  const parts = Buffer.from(raw, 'base64url').toString('utf8').split(' ');
  if (parts[0] !== TOKEN_START) throw badToken();
  if (parts.length === 1) return undefined;
  const ms = parseGoInt(parts[1] ?? '');
  if (parts.length !== 3 || ms === undefined) throw badToken();
  let id: string;
  try {
    id = parseUUID(parts[2]);
  } catch {
    throw badToken();
  }
  return { createdAt: new Date(ms), id };
}

/** GET /admin/courier/messages[/{id}] (Kratos's courier/handler.go), and the public port's 307s to them. */
export function registerCourierRoutes(servers: Servers, deps: CourierRouteDeps): void {
  const { config } = deps;
  const store = deps.persister.courier;

  defineRoutes(servers.admin, '/admin/courier/messages', {
    GET: async (req, reply) => {
      const q = queryOf(req);
      const statusRaw = q.get('status') ?? '';
      let status: MessageStatus | undefined;
      if (statusRaw !== '') {
        if (!(MESSAGE_STATUSES as readonly string[]).includes(statusRaw)) throw errBadMessageStatus();
        status = statusRaw as MessageStatus;
      }
      const recipient = q.get('recipient') || undefined;
      let size = DEFAULT_PAGE;
      const ps = q.get('page_size') ?? '';
      if (ps !== '') {
        const n = parseGoInt(ps);
        if (n === undefined) throw errParam('page_size');
        if (n > 0) size = Math.min(n, MAX_PAGE);
      }
      const pt = q.get('page_token') ?? '';
      const after = pt === '' ? undefined : decodeToken(pt);
      const rows = await store.listMessages({ status, recipient, limit: size + 1, after });
      const page = rows.slice(0, size);
      const link = (rel: string, token: string) => `<${requestLinkWith(req.url, { page_size: String(size), page_token: token })}>; rel="${rel}"`;
      const links = [link('first', encodeToken())];
      const last = page[page.length - 1];
      if (rows.length > size && last) links.push(link('next', encodeToken(last)));
      reply.header('link', links.join(','));
      return reply.code(200).send(page.map((m) => messageToJSON(m, { dev: config.dev })));
    },
  });

  defineRoutes(servers.admin, '/admin/courier/messages/:id', {
    GET: async (req, reply) => {
      const id = parseUUID((req.params as { id: string }).id);
      const m = await store.getMessage(id);
      if (!m) throw errNoRows();
      return reply.code(200).send(messageToJSON(m, { dev: config.dev, dispatches: await store.listDispatches(id) }));
    },
  });

  // Kratos's public router sends the courier paths to the admin server.
  const toAdmin = (req: FastifyRequest, reply: FastifyReply) => redirectToServer(config.adminBaseURL, req, reply, 'admin');
  const all = { GET: toAdmin, POST: toAdmin, PUT: toAdmin, PATCH: toAdmin, DELETE: toAdmin };
  for (const path of ['/admin/courier/messages', '/admin/courier/messages/:id']) defineRoutes(servers.public, path, all);
}
