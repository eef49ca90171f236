import type { FastifyReply } from 'fastify';
import type { Config } from '../config/config.js';
import type { Identity } from '../identity/types.js';
import type { SessionFilter, SessionStore } from './store.js';
import type { OffsetPage } from '../http/pagination.js';
import type { SessionManager } from './manager.js';
import type { Session } from './types.js';

/** What the session routes need from the registry. */
export interface SessionRouteDeps {
  config: Config;
  sessions: SessionManager;
  persister: { sessions: SessionStore };
}

/**
 * One page of an offset-paginated list (Kratos answers /sessions and /admin/identities/{id}/sessions
 * with a total and page links): the page is read in the database with the capped page size, and the
 * total is a count, so no request loads more than one page of sessions.
 */
export async function sessionPage(
  store: SessionStore,
  filter: SessionFilter & { expandIdentity?: boolean },
  page: OffsetPage,
): Promise<{ sessions: Array<Session & { identity?: Identity }>; total: number }> {
  const offset = Math.min(page.page * page.perPage, Number.MAX_SAFE_INTEGER);
  const [list, total] = await Promise.all([store.listSessions({ ...filter, limit: page.perPage, offset }), store.countSessions(filter)]);
  return { sessions: list.sessions, total };
}

/** Kratos's WriteCode(204, nil): a 204 that still names the JSON content type. */
export function noContentJson(reply: FastifyReply): FastifyReply {
  return reply.code(204).header('content-type', 'application/json; charset=utf-8').send();
}
