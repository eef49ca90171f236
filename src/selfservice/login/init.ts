import type { FastifyReply, FastifyRequest } from 'fastify';
import { toPortaError } from '../../http/errors.js';
import { acceptsJson, isJsonRequest } from '../../http/negotiate.js';
import { sendError } from '../../http/writer.js';
import { uiText } from '../../x/text.js';
import { errAlreadyLoggedIn } from '../flow/errors.js';
import { newExchangeCode, newStoredFlow, redirect, sendJSON, flowToJSON } from '../flow/model.js';
import type { SelfServiceDeps } from '../deps.js';
import type { Identity } from '../../identity/types.js';
import './flow.js';
import { param, parseBool } from '../flow/params.js';
import { uiURLOf } from '../flow/respond.js';
import { requestURL, withQuery } from '../flow/url.js';
import type { FlowType } from '../flow/types.js';
import { loginNodes } from './nodes.js';
import { flowSchema } from '../flow/identity-schema.js';
import { errAAL1Required, errBadAAL, errOAuth2Unconfigured } from '../../http/catalogue/index.js';

/**
 * GET /self-service/login/browser and /self-service/login/api (Kratos's NewLoginFlow and the two
 * handlers around it). Browser errors go to the error UI; API errors are always JSON.
 */
export async function initLogin(deps: SelfServiceDeps, req: FastifyRequest, reply: FastifyReply, type: FlowType): Promise<FastifyReply> {
  const fail = (err: unknown) => (type === 'api' ? sendError(req, reply, err) : deps.errors.forward(req, reply, err));
  try {
    if (param(req, 'login_challenge') !== undefined) {
      return await fail(
        errOAuth2Unconfigured(),
      );
    }
    const returnTo = deps.returnTo.fromRequest(req, () => deps.config.afterReturnURL('login'));
    const requestedAal = (param(req, 'aal') ?? 'aal1').toLowerCase();
    if (requestedAal !== 'aal1' && requestedAal !== 'aal2') return await fail(errBadAAL(requestedAal));
    const identitySchema = param(req, 'identity_schema');
    const schema = flowSchema(deps, identitySchema);
    let refresh = parseBool(param(req, 'refresh'));

    const existing = await deps.sessions.tryFetchFromRequest(req, { requireActiveIdentity: true });
    let refreshOf: Identity | undefined;
    if (!existing) {
      if (requestedAal === 'aal2') return await fail(errAAL1Required());
      refresh = false;
    } else if (!refresh && requestedAal === 'aal1') {
      if (type === 'browser' && !isJsonRequest(req)) {
        return redirect(req, reply, 303, returnTo?.href ?? deps.config.defaultBrowserReturnURL.href);
      }
      return sendError(req, reply, errAlreadyLoggedIn('login'));
    } else if (refresh) {
      refreshOf = (await deps.identities.get(existing.identity.id)) ?? undefined;
    }

    const csrfRaw = type === 'browser' ? deps.csrf.token(req, reply) : '';
    const nodes = loginNodes(deps.strategies, { csrf: type === 'browser' ? deps.csrf.masked(req, reply) : '', schema: schema.schema, refreshOf });
    const flow = newStoredFlow(deps.config, 'login', type, csrfRaw, {
      request_url: requestURL(req),
      return_to: returnTo?.href,
      ui: { action: '', method: 'POST', nodes, ...(refresh ? { messages: [uiText(1010003, 'Please confirm this action by verifying that it is you.', 'info')] } : {}) },
      refresh,
      requested_aal: requestedAal,
      state: 'choose_method',
      identity_schema: identitySchema,
      schema_id: schema.id,
      session_token_exchange_code: type === 'api' && parseBool(param(req, 'return_session_token_exchange_code')) ? newExchangeCode() : undefined,
    });
    await deps.hooks.run('login', 'before', { req, reply, flow });
    await deps.persister.flows.createFlow(flow);
    if (type === 'browser' && !acceptsJson(req)) return redirect(req, reply, 303, withQuery(uiURLOf(deps, 'login'), 'flow', flow.id));
    return sendJSON(reply, 200, flowToJSON(flow));
  } catch (err) {
    return fail(toPortaError(err));
  }
}
