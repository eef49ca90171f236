import type { FastifyReply, FastifyRequest } from 'fastify';
import { toPortaError } from '../../http/errors.js';
import { isJsonRequest } from '../../http/negotiate.js';
import type { UiText } from '../../x/text.js';
import { dataOf, flowToJSON, redirect, sendJSON } from '../flow/model.js';
import { FlowFormError } from '../flow/errors.js';
import { forward, uiURLOf } from '../flow/respond.js';
import { addMessage, addNodeMessage, genericMessage, type UiContainer } from '../flow/ui.js';
import { publicURL, withQuery } from '../flow/url.js';
import type { StoredFlow } from '../flow/types.js';
import { buildRecoveryFlow, type RecoveryDeps } from './init.js';

/**
 * Kratos's retryRecoveryFlow: a new flow of the same type (fresh CSRF binding) carrying the message; JSON
 * clients are sent to fetch it, browsers to the recovery UI.
 */
export async function retryRecovery(deps: RecoveryDeps, req: FastifyRequest, reply: FastifyReply, old: StoredFlow, message: UiText): Promise<FastifyReply> {
  return retryWith(deps, req, reply, old, (ui) => addMessage(ui, message));
}

/**
 * Kratos's retryRecoveryFlowWithError: an error a form can show (a hook's interruption, a herodot 400)
 * goes into a new flow as retryRecovery does; any other error (an upstream 502/504, a 500) is forwarded:
 * JSON to API and SPA clients, the error UI to browsers.
 */
export async function retryRecoveryWithError(deps: RecoveryDeps, req: FastifyRequest, reply: FastifyReply, old: StoredFlow, err: unknown): Promise<FastifyReply> {
  if (err instanceof FlowFormError) {
    return retryWith(deps, req, reply, old, (ui) => {
      for (const m of err.messages) addMessage(ui, m);
      for (const { name, message } of err.nodeMessages) addNodeMessage(ui, name, message);
    });
  }
  const e = toPortaError(err);
  if (e.code === 400) return retryWith(deps, req, reply, old, (ui) => addMessage(ui, genericMessage(e.reason ?? e.message)));
  return forward(deps, req, reply, e, old);
}

async function retryWith(deps: RecoveryDeps, req: FastifyRequest, reply: FastifyReply, old: StoredFlow, render: (ui: UiContainer) => void): Promise<FastifyReply> {
  const d = dataOf(old);
  if (old.type === 'browser') deps.csrf.regenerate(req, reply);
  const next = buildRecoveryFlow(deps, req, reply, old.type, d.request_url, d.return_to);
  render(dataOf(next).ui);
  await deps.persister.flows.createFlow(next);
  if (old.type === 'api' || isJsonRequest(req)) return redirect(req, reply, 303, publicURL(deps.config, `/self-service/recovery/flows?id=${next.id}`));
  return redirect(req, reply, 303, withQuery(uiURLOf(deps, 'recovery'), 'flow', next.id));
}

/** The answer after a change to the same flow: browsers back to the form, JSON and API clients the flow. */
export function answerSameFlow(deps: RecoveryDeps, req: FastifyRequest, reply: FastifyReply, flow: StoredFlow): FastifyReply {
  if (flow.type === 'browser' && !isJsonRequest(req)) return redirect(req, reply, 303, withQuery(uiURLOf(deps, 'recovery'), 'flow', flow.id));
  return sendJSON(reply, 200, flowToJSON(flow));
}

