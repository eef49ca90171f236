import type { FastifyReply, FastifyRequest } from 'fastify';
import { toPortaError } from '../../http/errors.js';
import { acceptsJson, isJsonRequest } from '../../http/negotiate.js';
import { sendError } from '../../http/writer.js';
import { identityToJSON } from '../../identity/json.js';
import type { Identity } from '../../identity/types.js';
import { errFlowGone } from '../flow/errors.js';
import { flowToJSON, newStoredFlow, redirect, sendJSON } from '../flow/model.js';
import { param } from '../flow/params.js';
import { flowIdOf, uiURLOf } from '../flow/respond.js';
import { publicURL, requestURL, withQuery } from '../flow/url.js';
import type { FlowType, StoredFlow } from '../flow/types.js';
import { flowSchema } from '../flow/identity-schema.js';
import type { SelfServiceDeps } from '../deps.js';
import { answerNoSession } from './access.js';
import { settingsNodes } from './nodes.js';
import './flow.js';
import { errIdentityMismatch, errNoActiveSession, errNoRows, errSettingsApiInactive } from '../../http/catalogue/index.js';

export function identityJSON(deps: SelfServiceDeps, identity: Identity): Record<string, unknown> {
  return identityToJSON(identity, { config: deps.config, credentials: 'none', metadataAdmin: false }) as Record<string, unknown>;
}

/** A new settings flow for the identity, bound to the request's CSRF cookie (browser) or to nothing (API). */
export function buildSettingsFlow(
  deps: SelfServiceDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  type: FlowType,
  identity: Identity,
  fields: { request_url: string; return_to?: string },
): StoredFlow {
  const browser = type === 'browser';
  const schema = flowSchema(deps, identity.schemaId);
  return newStoredFlow(deps.config, 'settings', type, browser ? deps.csrf.token(req, reply) : '', {
    request_url: fields.request_url,
    return_to: fields.return_to,
    ui: { action: '', method: 'POST', nodes: settingsNodes(deps.strategies, { csrf: browser ? deps.csrf.masked(req, reply) : '', schema: schema.schema, identity }) },
    state: 'show_form',
    schema_id: schema.id,
    identity_id: identity.id,
    identity: identityJSON(deps, identity),
  });
}

/**
 * Builds and stores a new settings flow: the one path every settings flow is created through (the init
 * endpoints, and recovery handing a recovered person over to choose a new password). `prepare` runs on the
 * built flow before it is stored (the init's before-hooks, recovery's success message).
 */
export async function createSettingsFlow(
  deps: SelfServiceDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  type: FlowType,
  identity: Identity,
  fields: { request_url: string; return_to?: string },
  prepare?: (flow: StoredFlow) => void | Promise<void>,
): Promise<StoredFlow> {
  const flow = buildSettingsFlow(deps, req, reply, type, identity, fields);
  if (prepare) await prepare(flow);
  await deps.persister.flows.createFlow(flow);
  return flow;
}

/** GET /self-service/settings/browser and /self-service/settings/api (createBrowser/NativeSettingsFlow). */
export async function initSettings(deps: SelfServiceDeps, req: FastifyRequest, reply: FastifyReply, type: FlowType): Promise<FastifyReply> {
  const fail = (err: unknown) => (type === 'api' ? sendError(req, reply, err) : deps.errors.forward(req, reply, err));
  try {
    const auth = await deps.sessions.tryFetchFromRequest(req, { requireActiveIdentity: true });
    if (!auth) {
      if (type === 'api') return sendError(req, reply, errSettingsApiInactive());
      if (isJsonRequest(req)) return sendError(req, reply, errNoActiveSession());
      // Kratos hands a non-empty return_to over to the login flow as it was given.
      const returnTo = param(req, 'return_to');
      const login = publicURL(deps.config, '/self-service/login/browser');
      return redirect(req, reply, 303, returnTo ? `${login}?${new URLSearchParams({ return_to: returnTo })}` : login);
    }
    const returnTo = deps.returnTo.fromRequest(req, () => deps.config.afterReturnURL('settings'));
    const identity = await deps.identities.get(auth.identity.id);
    if (!identity) return await fail(errNoActiveSession());
    const flow = await createSettingsFlow(deps, req, reply, type, identity, { request_url: requestURL(req), return_to: returnTo?.href }, (f) =>
      deps.hooks.run('settings', 'before', { req, reply, flow: f, identity, session: auth.session }),
    );
    if (type === 'browser' && !acceptsJson(req)) return redirect(req, reply, 303, withQuery(uiURLOf(deps, 'settings'), 'flow', flow.id));
    return sendJSON(reply, 200, flowToJSON(flow));
  } catch (err) {
    return fail(toPortaError(err));
  }
}

/** GET /self-service/settings/flows?id= (getSettingsFlow): bound to the session, so no CSRF check. */
export async function getSettingsFlow(deps: SelfServiceDeps, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const id = flowIdOf(req, 'id');
  const flow = id ? await deps.persister.flows.getFlow('settings', id) : null;
  if (!flow) return sendError(req, reply, errNoRows());
  const auth = await deps.sessions.tryFetchFromRequest(req, { requireActiveIdentity: true });
  if (!auth) return answerNoSession(deps.config, req, reply);
  const d = flow.data as { identity_id?: string; return_to?: string; identity?: Record<string, unknown> };
  if (d.identity_id !== auth.identity.id) return sendError(req, reply, errIdentityMismatch('get'));
  if (flow.expiresAt.getTime() < Date.now()) {
    return sendError(req, reply, errFlowGone('settings', flow.type, publicURL(deps.config, ''), d.return_to ?? ''));
  }
  // The identity as it is now (an admin may have changed it since the flow was rendered).
  const identity = await deps.identities.get(auth.identity.id);
  if (identity) d.identity = identityJSON(deps, identity);
  return sendJSON(reply, 200, flowToJSON(flow));
}
