import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from '../../identity/types.js';
import type { Session } from '../../session/types.js';
import type { FlowType } from '../flow/types.js';
import { requestURL } from '../flow/url.js';
import type { LogoutDeps } from './deps.js';

/** The logout URL's `token` is a credential: a receiver gets the URL without it. */
function withoutToken(url: string): string {
  try {
    const u = new URL(url);
    u.searchParams.delete('token');
    return u.href;
  } catch {
    return '';
  }
}

/** Whether any logout after-hook is configured (so the endpoints skip all extra work otherwise). */
export const hasLogoutHooks = (deps: LogoutDeps): boolean => deps.hooks.list('logout', 'after').length > 0;

/**
 * Porta's `selfservice.flows.logout.after.hooks` (web_hook only): run in order after a logout ended an
 * active session and before the response is sent, so a synchronous receiver has acted before the
 * browser arrives at return_to. They can never change the logout: failures are logged by the hook
 * and swallowed here, nothing is written to the reply, and `ctx` carries no token or Porta cookie.
 */
export async function runLogoutHooks(
  deps: LogoutDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  view: { type: FlowType; returnTo: string | null },
  ended: { session: Session; identity: Identity },
): Promise<void> {
  const ctx = {
    req,
    reply,
    flow: { kind: 'logout' as const, type: view.type, returnTo: view.returnTo, requestURL: withoutToken(requestURL(req)) },
    identity: ended.identity,
    session: { ...ended.session, active: false },
  };
  for (const hook of deps.hooks.list('logout', 'after')) {
    try {
      await hook.execute(ctx);
    } catch {
      // Logged by the hook; a logout hook never changes the logout.
    }
  }
}
