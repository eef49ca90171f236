import type { FastifyReply, FastifyRequest } from 'fastify';
import { isJsonRequest } from '../../http/negotiate.js';
import type { UiText } from '../../x/text.js';
import { dataOf, flowToJSON, redirect, sendJSON } from '../flow/model.js';
import { uiURLOf } from '../flow/respond.js';
import { addMessage } from '../flow/ui.js';
import { publicURL, withQuery } from '../flow/url.js';
import type { StoredFlow } from '../flow/types.js';
import { buildRecoveryFlow, type RecoveryDeps } from './init.js';

/**
 * Kratos's retryRecoveryFlow: a new flow of the same type (fresh CSRF binding) carrying the message; JSON
 * clients are sent to fetch it, browsers to the recovery UI.
 */
export async function retryRecovery(deps: RecoveryDeps, req: FastifyRequest, reply: FastifyReply, old: StoredFlow, message: UiText): Promise<FastifyReply> {
  const d = dataOf(old);
  if (old.type === 'browser') deps.csrf.regenerate(req, reply);
  const next = buildRecoveryFlow(deps, req, reply, old.type, d.request_url, d.return_to);
  addMessage(dataOf(next).ui, message);
  await deps.persister.flows.createFlow(next);
  if (old.type === 'api' || isJsonRequest(req)) return redirect(req, reply, 303, publicURL(deps.config, `/self-service/recovery/flows?id=${next.id}`));
  return redirect(req, reply, 303, withQuery(uiURLOf(deps, 'recovery'), 'flow', next.id));
}

/** The answer after a change to the same flow: browsers back to the form, JSON and API clients the flow. */
export function answerSameFlow(deps: RecoveryDeps, req: FastifyRequest, reply: FastifyReply, flow: StoredFlow): FastifyReply {
  if (flow.type === 'browser' && !isJsonRequest(req)) return redirect(req, reply, 303, withQuery(uiURLOf(deps, 'recovery'), 'flow', flow.id));
  return sendJSON(reply, 200, flowToJSON(flow));
}

