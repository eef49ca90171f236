import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { toPortaError } from '../../http/errors.js';
import { acceptsJson, isJsonRequest } from '../../http/negotiate.js';
import { sendError } from '../../http/writer.js';
import type { Courier } from '../../courier/queue.js';
import { errAlreadyLoggedIn } from '../flow/errors.js';
import { flowToJSON, newStoredFlow, redirect, sendJSON, type FlowDeps } from '../flow/model.js';
import { fetchFlow, flowIdOf, uiURLOf } from '../flow/respond.js';
import { requestURL, withQuery } from '../flow/url.js';
import type { FlowType, StoredFlow } from '../flow/types.js';
import type { SelfServiceDeps } from '../deps.js';
import { chooseMethodNodes, internalOf } from './flow.js';
import { errRecoveryDisabled } from '../../http/catalogue/index.js';

/** What recovery needs beyond the shared flow machinery: the courier, the send throttles' store and the client IP. */
export type RecoveryDeps = SelfServiceDeps & { courier: Courier; clientIp: (req: FastifyRequest) => string; logger: Logger };

/** A new recovery flow in choose_method, bound to the request's CSRF cookie (browser) or to nothing (API). */
export function buildRecoveryFlow(deps: FlowDeps, req: FastifyRequest, reply: FastifyReply, type: FlowType, requestUrl: string, returnTo?: string): StoredFlow {
  const browser = type === 'browser';
  return newStoredFlow(deps.config, 'recovery', type, browser ? deps.csrf.token(req, reply) : '', {
    request_url: requestUrl,
    return_to: returnTo,
    active: 'code',
    ui: { action: '', method: 'POST', nodes: chooseMethodNodes(browser ? deps.csrf.masked(req, reply) : '') },
    state: 'choose_method',
  });
}

/** GET /self-service/recovery/browser and /self-service/recovery/api. */
export async function initRecovery(deps: RecoveryDeps, req: FastifyRequest, reply: FastifyReply, type: FlowType): Promise<FastifyReply> {
  const fail = (err: unknown) => (type === 'api' ? sendError(req, reply, err) : deps.errors.forward(req, reply, err));
  try {
    if (!deps.config.recoveryEnabled) return await fail(errRecoveryDisabled());
    const returnTo = deps.returnTo.fromRequest(req, () => deps.config.defaultBrowserReturnURL);
    const existing = await deps.sessions.tryFetchFromRequest(req, { requireActiveIdentity: true });
    if (existing) {
      // Kratos: 302 for a browser (recovery is for people who cannot sign in), 400 for JSON and API clients.
      if (type === 'browser' && !isJsonRequest(req)) return redirect(req, reply, 302, deps.config.defaultBrowserReturnURL.href);
      return sendError(req, reply, errAlreadyLoggedIn('recovery'));
    }
    const flow = buildRecoveryFlow(deps, req, reply, type, requestURL(req), returnTo?.href);
    await deps.hooks.run('recovery', 'before', { req, reply, flow });
    await deps.persister.flows.createFlow(flow);
    if (type === 'browser' && !acceptsJson(req)) return redirect(req, reply, 303, withQuery(uiURLOf(deps, 'recovery'), 'flow', flow.id));
    return sendJSON(reply, 200, flowToJSON(flow));
  } catch (err) {
    return fail(toPortaError(err));
  }
}

/** GET /self-service/recovery/flows?id=: refused while recovery is disabled; admin flows need no CSRF cookie. */
export async function getRecoveryFlow(deps: RecoveryDeps, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  if (!deps.config.recoveryEnabled) return deps.errors.forward(req, reply, errRecoveryDisabled());
  const id = flowIdOf(req, 'id');
  const flow = id ? await deps.persister.flows.getFlow('recovery', id) : null;
  // A flow an administrator created is opened by the person from a link, in a browser without its CSRF cookie.
  if (flow && internalOf(flow).admin && flow.expiresAt.getTime() >= Date.now()) return sendJSON(reply, 200, flowToJSON(flow));
  return fetchFlow(deps, req, reply, 'recovery', flow);
}
