import type { FastifyReply, FastifyRequest } from 'fastify';
import { toPortaError } from '../../http/errors.js';
import { InputLimitError } from '../../http/limits.js';
import { isJsonRequest } from '../../http/negotiate.js';
import { sendError } from '../../http/writer.js';
import { isUUID } from '../../x/tokens.js';
import { FlowFormError, errFlowGone, identityDisabledMessage } from './errors.js';
import { dataOf, flowToJSON, redirect, sendJSON, type FlowDeps } from './model.js';
import { param } from './params.js';
import { addMessage, addNodeMessage, genericMessage, resetMessages, setValue } from './ui.js';
import { publicURL, withQuery } from './url.js';
import type { FlowKind, StoredFlow } from './types.js';
import { flowSpec } from './kinds.js';
import { errFlowParam, errNoRows, IdentityDisabledError } from '../../http/catalogue/index.js';

export function uiURLOf(deps: Pick<FlowDeps, 'config'>, kind: FlowKind): URL {
  return flowSpec(kind).uiURL(deps.config);
}

/** The `flow`/`id` query value when it is a UUID; undefined otherwise. */
export function flowIdOf(req: FastifyRequest, name: 'flow' | 'id'): string | undefined {
  const v = param(req, name);
  return v !== undefined && isUUID(v) ? v.toLowerCase() : undefined;
}

/**
 * Error that has no flow to render into: API clients and SPAs get JSON, browsers the error UI
 * (ErrorManager decides by the request).
 */
export function forward(deps: FlowDeps, req: FastifyRequest, reply: FastifyReply, err: unknown, flow?: StoredFlow): Promise<FastifyReply> | FastifyReply {
  if (flow?.type === 'api') return sendError(req, reply, err);
  return deps.errors.forward(req, reply, err);
}

/**
 * Kratos's WriteFlowError: validation errors and herodot 400s are written into the flow (messages reset
 * first, a fresh CSRF rendering), the flow is saved, and the client is sent back to the form (browser) or
 * gets the flow with 400 (API, SPA). Anything else is forwarded; a body over the input limits is
 * answered with its 400 directly.
 */
export async function writeFlowError(
  deps: FlowDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  flow: StoredFlow,
  err: unknown,
  refill: (ui: ReturnType<typeof dataOf>['ui']) => void,
): Promise<FastifyReply> {
  // A body over the input limits is hostile or broken: answered as it is, the stored flow left untouched.
  if (err instanceof InputLimitError) return sendError(req, reply, err);
  const ui = dataOf(flow).ui;
  if (err instanceof FlowFormError) {
    resetMessages(ui);
    for (const m of err.messages) addMessage(ui, m);
    for (const { name, message } of err.nodeMessages) addNodeMessage(ui, name, message);
  } else {
    const e = toPortaError(err);
    if (e.code !== 400) return forward(deps, req, reply, e, flow);
    resetMessages(ui);
    addMessage(ui, e instanceof IdentityDisabledError ? identityDisabledMessage() : genericMessage(e.reason ?? e.message));
  }
  refill(ui);
  const masked = flow.type === 'browser' ? deps.csrf.maskedIfCookie(req, reply) : undefined;
  if (masked) setValue(ui, 'csrf_token', masked);
  flow.updatedAt = new Date();
  await deps.persister.flows.updateFlow(flow);
  if (flow.type === 'browser' && !isJsonRequest(req)) {
    return redirect(req, reply, flowSpec(flow.kind).rerenderStatus, withQuery(uiURLOf(deps, flow.kind), 'flow', flow.id));
  }
  return sendJSON(reply, 400, flowToJSON(flow));
}

/** Loads a flow for a submit; answers (and returns null) when the id is missing or unknown. */
export async function loadFlowForSubmit(deps: FlowDeps, req: FastifyRequest, reply: FastifyReply, kind: FlowKind): Promise<StoredFlow | null> {
  const id = flowIdOf(req, 'flow');
  if (!id) {
    await deps.errors.forward(req, reply, errFlowParam());
    return null;
  }
  const flow = await deps.persister.flows.getFlow(kind, id);
  if (!flow) {
    await deps.errors.forward(req, reply, errNoRows());
    return null;
  }
  return flow;
}

/** GET /self-service/{login,registration}/flows?id= (never redirects). */
export async function fetchFlow(deps: FlowDeps, req: FastifyRequest, reply: FastifyReply, kind: FlowKind, flow: StoredFlow | null): Promise<FastifyReply> {
  if (!flow) return sendError(req, reply, errNoRows());
  if (flow.type === 'browser' && !deps.csrf.cookieMatches(req, flow.csrfToken)) {
    return sendError(req, reply, deps.csrf.violation(req));
  }
  if (flow.expiresAt.getTime() < Date.now()) {
    return sendError(req, reply, errFlowGone(kind, flow.type, publicURL(deps.config, ''), dataOf(flow).return_to ?? ''));
  }
  return sendJSON(reply, 200, flowToJSON(flow));
}
