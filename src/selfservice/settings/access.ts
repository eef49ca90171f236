import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.js';
import { isJsonRequest } from '../../http/negotiate.js';
import { sendError } from '../../http/writer.js';
import type { Session } from '../../session/types.js';
import { redirect } from '../flow/model.js';
import { publicURL } from '../flow/url.js';
import type { StoredFlow } from '../flow/types.js';
import { errSessionRefreshRequired, errSettingsUnauthorized } from '../../http/catalogue/index.js';

/** Get and submit without a session: JSON clients get the 401, browsers the login UI (302 as Kratos). */
export function answerNoSession(config: Config, req: FastifyRequest, reply: FastifyReply): FastifyReply | Promise<FastifyReply> {
  if (isJsonRequest(req)) return sendError(req, reply, errSettingsUnauthorized());
  return redirect(req, reply, 302, config.flowUIURL('login').href);
}

/**
 * Kratos's privileged session: authenticated within selfservice.flows.settings.privileged_session_max_age
 * (a max age of zero or less makes every session privileged).
 */
export function isPrivileged(config: Config, session: Session, now = Date.now()): boolean {
  const maxAge = config.privilegedSessionMaxAgeMs;
  return maxAge <= 0 || session.authenticatedAt.getTime() + maxAge > now;
}

/** The refresh login that returns to this settings flow's submit URL (which resumes at the settings UI). */
export function refreshLoginURL(config: Config, flow: StoredFlow): string {
  const back = publicURL(config, `/self-service/settings?flow=${flow.id}`);
  return publicURL(config, `/self-service/login/browser?${new URLSearchParams({ refresh: 'true', return_to: back })}`);
}

/** session_refresh_required: API and JSON clients get the 403 with the login URL, browsers are sent there. */
export function answerRefreshRequired(config: Config, req: FastifyRequest, reply: FastifyReply, flow: StoredFlow): FastifyReply | Promise<FastifyReply> {
  const url = refreshLoginURL(config, flow);
  if (flow.type === 'api' || isJsonRequest(req)) {
    return sendError(
      req,
      reply,
      errSessionRefreshRequired(url),
    );
  }
  return redirect(req, reply, 303, url);
}
