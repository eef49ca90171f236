import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.js';
import { PortaError } from '../../http/errors.js';
import { isJsonRequest } from '../../http/negotiate.js';
import { sendError } from '../../http/writer.js';
import type { Session } from '../../session/types.js';
import { redirect } from '../flow/model.js';
import { publicURL } from '../flow/url.js';
import type { StoredFlow } from '../flow/types.js';

/** Kratos's 401 of settings get and submit without a session (settings/strategy_helper.go): no error id. */
export const errSettingsUnauthorized = () =>
  new PortaError(401, { reason: 'A valid Ory Session Cookie or Ory Session Token is missing.', message: 'The request could not be authorized' });

/** The 401 of the native init without a session. */
export const errSettingsApiInactive = () =>
  new PortaError(401, {
    id: 'session_inactive',
    reason: 'This endpoint can only be accessed with a valid session. Please log in and try again.',
    message: 'request does not have a valid authentication session',
  });

export function errIdentityMismatch(on: 'get' | 'submit'): PortaError {
  return new PortaError(403, {
    id: 'security_identity_mismatch',
    reason:
      on === 'get'
        ? 'The request was made for another identity and has been blocked for security reasons.'
        : 'The request was initiated by someone else and has been blocked for security reasons. Please go back and try again.',
    message: 'The requested action was forbidden',
  });
}

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
      new PortaError(403, {
        id: 'session_refresh_required',
        reason: 'The login session is too old and thus not allowed to update these fields. Please re-authenticate.',
        message: 'The requested action was forbidden',
        extra: { redirect_browser_to: url },
      }),
    );
  }
  return redirect(req, reply, 303, url);
}
