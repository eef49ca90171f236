import type { FastifyReply } from 'fastify';
import type { Config } from '../config/config.js';
import type { Identity } from '../identity/types.js';
import type { ListSessionsQuery, Persister, SessionStore } from '../persistence/types.js';
import type { SessionManager } from './manager.js';
import type { Session } from './types.js';

/** What the session routes need from the registry. */
export interface SessionRouteDeps {
  config: Config;
  sessions: SessionManager;
  persister: Persister;
}

// An identity with more sessions than this is listed only up to it; offset pagination needs the total.
const MAX_LISTED = 10_000;

/**
 * Every session matching the query, newest first, walking the store's keyset pages. Used by the two
 * offset-paginated lists (Kratos answers them with a total count and page links).
 */
export async function collectSessions(store: SessionStore, query: Omit<ListSessionsQuery, 'limit' | 'pageToken'>): Promise<Array<Session & { identity?: Identity }>> {
  const out: Array<Session & { identity?: Identity }> = [];
  let pageToken: string | undefined;
  do {
    const page = await store.listSessions({ ...query, limit: 1000, pageToken });
    out.push(...page.sessions);
    pageToken = page.nextPageToken;
  } while (pageToken && out.length < MAX_LISTED);
  return out.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
}

/** Kratos's WriteCode(204, nil): a 204 that still names the JSON content type. */
export function noContentJson(reply: FastifyReply): FastifyReply {
  return reply.code(204).header('content-type', 'application/json; charset=utf-8').send();
}
