import type { FastifyReply, FastifyRequest } from 'fastify';
import { toPortaError } from '../../http/errors.js';
import { acceptsJson, isJsonRequest } from '../../http/negotiate.js';
import { sendError } from '../../http/writer.js';
import { errAlreadyLoggedIn } from '../flow/errors.js';
import { flowToJSON, newExchangeCode, newStoredFlow, redirect, sendJSON, type FlowDeps } from '../flow/model.js';
import { param } from '../flow/params.js';
import { fetchFlow, flowIdOf, uiURLOf } from '../flow/respond.js';
import { requestURL, withQuery } from '../flow/url.js';
import type { FlowType, StoredFlow } from '../flow/types.js';
import { flowSchema } from '../flow/identity-schema.js';
import { registrationNodes } from './nodes.js';
import type { SelfServiceDeps } from '../deps.js';
import './flow.js';
import { errRegistrationDisabled } from '../../http/catalogue/index.js';

/** A new registration flow bound to the request's CSRF cookie (browser) or to nothing (API). */
export function buildRegistrationFlow(
  deps: SelfServiceDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  type: FlowType,
  fields: { request_url: string; return_to?: string; identity_schema?: string; schema_id?: string; exchange?: boolean },
): StoredFlow {
  const browser = type === 'browser';
  const schema = flowSchema(deps, fields.schema_id ?? fields.identity_schema);
  return newStoredFlow(deps.config, 'registration', type, browser ? deps.csrf.token(req, reply) : '', {
    request_url: fields.request_url,
    return_to: fields.return_to,
    ui: {
      action: '',
      method: 'POST',
      nodes: registrationNodes(deps.strategies, { csrf: browser ? deps.csrf.masked(req, reply) : '', schema: schema.schema }),
    },
    state: 'choose_method',
    identity_schema: fields.identity_schema,
    schema_id: schema.id,
    session_token_exchange_code: fields.exchange ? newExchangeCode() : undefined,
  });
}

/** GET /self-service/registration/browser and /self-service/registration/api. */
export async function initRegistration(deps: SelfServiceDeps, req: FastifyRequest, reply: FastifyReply, type: FlowType): Promise<FastifyReply> {
  const fail = (err: unknown) => (type === 'api' ? sendError(req, reply, err) : deps.errors.forward(req, reply, err));
  try {
    if (!deps.config.registrationEnabled) return await fail(errRegistrationDisabled());
    const returnTo = deps.returnTo.fromRequest(req, () => deps.config.afterReturnURL('registration'));
    const identitySchema = param(req, 'identity_schema');
    const existing = await deps.sessions.tryFetchFromRequest(req, { requireActiveIdentity: true });
    if (existing) {
      if (type === 'browser' && !isJsonRequest(req)) {
        return redirect(req, reply, 303, returnTo?.href ?? deps.config.defaultBrowserReturnURL.href);
      }
      return sendError(req, reply, errAlreadyLoggedIn('registration'));
    }
    const flow = buildRegistrationFlow(deps, req, reply, type, {
      request_url: requestURL(req),
      return_to: returnTo?.href,
      identity_schema: identitySchema,
      exchange: type === 'api' && param(req, 'return_session_token_exchange_code') === 'true',
    });
    await deps.hooks.run('registration', 'before', { req, reply, flow });
    await deps.persister.flows.createFlow(flow);
    if (type === 'browser' && !acceptsJson(req)) return redirect(req, reply, 303, withQuery(uiURLOf(deps, 'registration'), 'flow', flow.id));
    return sendJSON(reply, 200, flowToJSON(flow));
  } catch (err) {
    return fail(toPortaError(err));
  }
}

/** GET /self-service/registration/flows?id=: as login, but a disabled registration is refused first. */
export async function getRegistrationFlow(deps: FlowDeps, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const id = flowIdOf(req, 'id');
  const flow = id ? await deps.persister.flows.getFlow('registration', id) : null;
  if (!deps.config.registrationEnabled) return deps.errors.forward(req, reply, errRegistrationDisabled());
  return fetchFlow(deps, req, reply, 'registration', flow);
}
