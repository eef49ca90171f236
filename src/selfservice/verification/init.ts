import type { HookRegistry } from '../hook/registry.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toPortaError } from '../../http/errors.js';
import { acceptsJson } from '../../http/negotiate.js';
import { sendError } from '../../http/writer.js';
import { flowToJSON, newStoredFlow, redirect, sendJSON, type FlowDeps } from '../flow/model.js';
import { fetchFlow, flowIdOf, uiURLOf } from '../flow/respond.js';
import { requestURL, withQuery } from '../flow/url.js';
import type { FlowType, StoredFlow } from '../flow/types.js';
import { chooseMethodNodes } from '../strategy/code/verification.js';
import { errVerificationDisabled } from '../../http/catalogue/index.js';

/** A new verification flow in choose_method; browser flows are bound to the request's CSRF cookie. */
export function buildVerificationFlow(deps: FlowDeps, req: FastifyRequest, reply: FastifyReply, type: FlowType, fields: { request_url: string; return_to?: string }): StoredFlow {
  const browser = type === 'browser';
  return newStoredFlow(deps.config, 'verification', type, browser ? deps.csrf.token(req, reply) : '', {
    request_url: fields.request_url,
    return_to: fields.return_to,
    active: 'code',
    ui: { action: '', method: 'POST', nodes: chooseMethodNodes(browser ? deps.csrf.masked(req, reply) : undefined) },
    state: 'choose_method',
  });
}

/** GET /self-service/verification/{browser,api}: no session is needed or looked at. */
export async function initVerification(deps: FlowDeps & { hooks?: Pick<HookRegistry, 'run'> }, req: FastifyRequest, reply: FastifyReply, type: FlowType): Promise<FastifyReply> {
  try {
    if (!deps.config.verificationEnabled) {
      return type === 'api' || acceptsJson(req) ? sendError(req, reply, errVerificationDisabled()) : deps.errors.forward(req, reply, errVerificationDisabled());
    }
    // Kratos writes init errors (a forbidden return_to) as JSON even for browsers.
    const returnTo = deps.returnTo.fromRequest(req, () => deps.config.afterReturnURL('verification'));
    const flow = buildVerificationFlow(deps, req, reply, type, { request_url: requestURL(req), return_to: returnTo?.href });
    await deps.hooks?.run('verification', 'before', { req, reply, flow });
    await deps.persister.flows.createFlow(flow);
    if (type === 'browser' && !acceptsJson(req)) return redirect(req, reply, 303, withQuery(uiURLOf(deps, 'verification'), 'flow', flow.id));
    return sendJSON(reply, 200, flowToJSON(flow));
  } catch (err) {
    return sendError(req, reply, toPortaError(err));
  }
}

/** GET /self-service/verification/flows?id= */
export async function getVerificationFlow(deps: FlowDeps, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  if (!deps.config.verificationEnabled) return sendError(req, reply, errVerificationDisabled());
  const id = flowIdOf(req, 'id');
  const flow = id ? await deps.persister.flows.getFlow('verification', id) : null;
  return fetchFlow(deps, req, reply, 'verification', flow);
}
