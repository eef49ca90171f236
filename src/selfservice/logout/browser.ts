import type { FastifyReply, FastifyRequest } from 'fastify';
import { goJson } from '../../http/writer.js';
import type { LogoutDeps } from './deps.js';
import { logoutURL } from './request.js';

/**
 * GET /self-service/logout/browser (createBrowserLogoutFlow): the logout URL of the request's session,
 * with return_to validated now (and again on use). Success is JSON even for browsers, as in Kratos.
 */
export async function createBrowserLogoutFlow(deps: LogoutDeps, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  try {
    const auth = await deps.sessions.fetchSessionFromRequest(req);
    const returnTo = deps.returnTo.fromRequest(req, () => deps.config.logoutRedirectURL);
    const token = deps.sessions.logoutToken(auth.session.id);
    const body = { logout_url: logoutURL(deps.config.publicBaseURL, token, returnTo?.href), logout_token: token };
    return reply.code(200).header('content-type', 'application/json; charset=utf-8').send(goJson(body));
  } catch (err) {
    return deps.errors.forward(req, reply, err);
  }
}
