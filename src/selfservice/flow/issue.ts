import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from '../../identity/types.js';
import type { AuthenticatedSession } from '../../session/manager.js';
import type { Session } from '../../session/types.js';
import { sessionToJSON } from '../../session/json.js';
import type { FlowDeps } from './model.js';

export interface Issued {
  session: Session;
  token: string;
}

/**
 * Creates the session after a successful authentication. A refresh login of the same identity
 * re-authenticates the existing session (same id, new token); anything else gets a new session, so a
 * login never reuses a token (no fixation). Browsers get the cookie, and a new CSRF token unless the
 * request already had a session of this identity.
 */
export async function issueSession(
  deps: FlowDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  identity: Identity,
  opts: { browser: boolean; existing: AuthenticatedSession | null; refresh: boolean; method: string; aal?: 'aal1' | 'aal2'; id?: string },
): Promise<Issued> {
  const sameIdentity = opts.existing !== null && opts.existing.identity.id === identity.id;
  const issued = await deps.sessions.activate(req, identity, {
    method: opts.method,
    aal: opts.aal,
    refresh: opts.refresh && sameIdentity ? (opts.existing as AuthenticatedSession).session : undefined,
    id: opts.id,
  });
  if (opts.browser) {
    deps.sessions.issueCookie(reply, issued.token, issued.session);
    if (!sameIdentity) deps.csrf.regenerate(req, reply);
  }
  return issued;
}

export function sessionJSON(deps: FlowDeps, session: Session, identity: Identity): Record<string, unknown> {
  return sessionToJSON(session, { config: deps.config, identity, devices: true });
}

export const redirectBrowserTo = (url: string) => ({ action: 'redirect_browser_to', redirect_browser_to: url });
export const setOrySessionToken = (token: string) => ({ action: 'set_ory_session_token', ory_session_token: token });
