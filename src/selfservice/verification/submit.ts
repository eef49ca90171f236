import type { HookRegistry } from '../hook/registry.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { acceptsJson } from '../../http/negotiate.js';
import { sendError } from '../../http/writer.js';
import { uiText } from '../../x/text.js';
import { decodeFlowBody, field } from '../flow/decode.js';
import { FlowFormError, expiredMessage } from '../flow/errors.js';
import { dataOf, flowToJSON, redirect, sendJSON } from '../flow/model.js';
import { flowIdOf, uiURLOf, writeFlowError } from '../flow/respond.js';
import { param } from '../flow/params.js';
import { addMessage, addNodeMessage, genericMessage, resetMessages, setValue, csrfNode, type UiContainer } from '../flow/ui.js';
import { publicURL, withQuery } from '../flow/url.js';
import type { StoredFlow } from '../flow/types.js';
import { PortaError, toPortaError } from '../../http/errors.js';
import {
  CODE_KEY,
  SUBMITS_KEY,
  continueNode,
  normalizeAddress,
  prepareCode,
  redeemCode,
  sendThrottled,
  sentNodes,
  setAddressStatus,
  type SendDeps,
} from '../strategy/code/verification.js';
import { buildVerificationFlow } from './init.js';
import { msgAlreadyDone, msgInvalidCode, msgNoStrategy, msgSendThrottled, msgSent, msgTooOften, msgVerified } from './flow.js';
import { errFlowParam, errFlowReplaced, errVerificationDisabled, errVerificationNotFound } from '../../http/catalogue/index.js';

const MAX_EMAIL = 320;
const MAX_CODE = 64;

/** Kratos's IsBrowserRequest: anything not asking for JSON is answered with a redirect to the UI. */
const browserRequest = (req: FastifyRequest) => !acceptsJson(req);

function toUI(deps: SendDeps, req: FastifyRequest, reply: FastifyReply, flow: StoredFlow): FastifyReply {
  return redirect(req, reply, 303, withQuery(uiURLOf(deps, 'verification'), 'flow', flow.id));
}

/** A replacement flow (same type unless stated) carrying `message`, as Kratos's FromOldFlow. */
async function replace(deps: SendDeps, req: FastifyRequest, reply: FastifyReply, old: StoredFlow, message: ReturnType<typeof msgSent>, type = old.type): Promise<StoredFlow> {
  return replaceWith(deps, req, reply, old, (ui) => addMessage(ui, message), type);
}

async function replaceWith(deps: SendDeps, req: FastifyRequest, reply: FastifyReply, old: StoredFlow, render: (ui: UiContainer) => void, type = old.type): Promise<StoredFlow> {
  const d = dataOf(old);
  const next = buildVerificationFlow(deps, req, reply, type, { request_url: d.request_url, return_to: d.return_to });
  render(dataOf(next).ui);
  await deps.persister.flows.createFlow(next);
  return next;
}

/**
 * Kratos's retryVerificationFlowWithError for an after-hook that refused (an interruption or a 400): a new
 * flow carrying its messages, since the code is spent; JSON clients are sent to fetch it, browsers to the UI.
 * Any other error is rethrown (forwarded as JSON or to the error UI).
 */
async function retryAfterHookError(deps: SendDeps, req: FastifyRequest, reply: FastifyReply, old: StoredFlow, err: unknown): Promise<FastifyReply> {
  const e = err instanceof FlowFormError ? err : toPortaError(err);
  if (e instanceof PortaError && e.code !== 400) throw err;
  const next = await replaceWith(deps, req, reply, old, (ui) => {
    if (e instanceof PortaError) return addMessage(ui, genericMessage(e.reason ?? e.message));
    for (const m of e.messages) addMessage(ui, m);
    for (const { name, message } of e.nodeMessages) addNodeMessage(ui, name, message);
  });
  if (browserRequest(req)) return toUI(deps, req, reply, next);
  return redirect(req, reply, 303, publicURL(deps.config, `/self-service/verification/flows?id=${next.id}`));
}

function answer(deps: SendDeps, req: FastifyRequest, reply: FastifyReply, flow: StoredFlow, status = 200): FastifyReply {
  if (browserRequest(req)) return toUI(deps, req, reply, flow);
  return sendJSON(reply, status, flowToJSON(flow));
}

/** GET and POST /self-service/verification?flow= (updateVerificationFlow). No session is involved. */
export async function submitVerification(deps: SendDeps, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const id = flowIdOf(req, 'flow');
  if (!id) return deps.errors.forward(req, reply, errFlowParam());
  const flow = await deps.persister.flows.getFlow('verification', id);
  if (!flow) return deps.errors.forward(req, reply, errVerificationNotFound());
  if (!deps.config.verificationEnabled) return deps.errors.forward(req, reply, errVerificationDisabled());
  const d = dataOf(flow);
  const refill = () => {};
  try {
    const now = new Date();
    if (flow.expiresAt.getTime() < now.getTime()) {
      // API flows are replaced by browser flows (Kratos's verification error handler).
      const next = await replace(deps, req, reply, flow, expiredMessage('verification', flow.expiresAt, now), 'browser');
      if (flow.type === 'api' || !browserRequest(req)) return redirect(req, reply, 303, publicURL(deps.config, `/self-service/verification/flows?id=${next.id}`));
      return toUI(deps, req, reply, next);
    }

    const body: Record<string, unknown> = req.method === 'GET' ? { code: param(req, 'code'), method: param(req, 'method') } : decodeFlowBody(req);
    const code = field(body, 'code');
    const method = field(body, 'method') ?? (code !== undefined ? 'code' : undefined);
    if (method !== 'code') {
      if (method !== undefined && method !== 'link') {
        throw new FlowFormError([], [{ name: 'method', message: uiText(4000001, 'value must be one of "code", "link"', 'error') }]);
      }
      throw new FlowFormError([msgNoStrategy()]);
    }
    if (d.state === 'passed_challenge') {
      const next = await replace(deps, req, reply, flow, msgAlreadyDone());
      if (browserRequest(req)) return toUI(deps, req, reply, next);
      return sendError(req, reply, errFlowReplaced('An error occured, please use the new flow.', next.id));
    }

    if (code !== undefined) {
      if (req.method === 'GET') return await linkClick(deps, req, reply, flow, code);
      return await redeem(deps, req, reply, flow, code);
    }

    const email = field(body, 'email');
    if (email === undefined) throw new FlowFormError([], [{ name: 'email', message: uiText(4000002, 'Property email is missing.', 'error', { property: 'email' }) }]);
    if (email.length > MAX_EMAIL) throw new FlowFormError([], [{ name: 'email', message: uiText(4000003, `length must be <= ${MAX_EMAIL}, but got ${email.length}`, 'error') }]);
    if (flow.type === 'browser' && !deps.csrf.verify(req, field(body, 'csrf_token'))) {
      return await deps.errors.forward(req, reply, deps.csrf.violation(req, { tokenSent: field(body, 'csrf_token') !== undefined }));
    }
    return await send(deps, req, reply, flow, email);
  } catch (err) {
    return writeFlowError(deps, req, reply, flow, err, refill);
  }
}

async function send(deps: SendDeps, req: FastifyRequest, reply: FastifyReply, flow: StoredFlow, email: string): Promise<FastifyReply> {
  const d = dataOf(flow);
  const address = normalizeAddress(email);
  const csrf = flow.type === 'browser' ? deps.csrf.masked(req, reply) : undefined;
  if (await sendThrottled(deps, deps.clientIp(req), address)) {
    // Same answer whether or not the address is known; nothing is queued and the old code stays valid.
    resetMessages(d.ui);
    addMessage(d.ui, msgSendThrottled());
    flow.updatedAt = new Date();
    await deps.persister.flows.updateFlow(flow);
    return answer(deps, req, reply, flow, 400);
  }
  const identity = await deps.persister.identities.findIdentityByVerifiableAddress('email', address);
  const messages = await prepareCode(deps, flow, address, identity);
  d.state = 'sent_email';
  d.ui.nodes = sentNodes(csrf, email);
  d.ui.messages = [msgSent()];
  flow.updatedAt = new Date();
  await deps.persister.flows.updateFlow(flow, { messages });
  return answer(deps, req, reply, flow);
}

/** The mailed link: pre-fills the code and rotates the CSRF cookie (so it works in another browser); does not verify. */
async function linkClick(deps: SendDeps, req: FastifyRequest, reply: FastifyReply, flow: StoredFlow, code: string): Promise<FastifyReply> {
  const ui = dataOf(flow).ui;
  if (flow.type === 'browser') {
    flow.csrfToken = deps.csrf.regenerate(req, reply);
    setValue(ui, 'csrf_token', deps.csrf.masked(req, reply));
  }
  setValue(ui, 'code', code.slice(0, MAX_CODE));
  flow.updatedAt = new Date();
  await deps.persister.flows.updateFlow(flow);
  return toUI(deps, req, reply, flow);
}

async function redeem(deps: SendDeps & { hooks?: Pick<HookRegistry, 'run'> }, req: FastifyRequest, reply: FastifyReply, flow: StoredFlow, code: string): Promise<FastifyReply> {
  const d = dataOf(flow);
  // Every redemption counts, right or wrong, and resending does not reset it (Kratos's submit_count).
  const count = ((flow.data[SUBMITS_KEY] as number | undefined) ?? 0) + 1;
  flow.data[SUBMITS_KEY] = count;
  if (count > deps.config.codeMethod.maxSubmissions) {
    delete flow.data[CODE_KEY];
    await deps.persister.flows.updateFlow(flow);
    const next = await replace(deps, req, reply, flow, msgTooOften());
    if (browserRequest(req)) return toUI(deps, req, reply, next);
    return sendError(req, reply, errFlowReplaced('An error occured, please retry the flow.', next.id));
  }
  const { result, stored } = redeemCode(deps, flow, code.slice(0, MAX_CODE));
  const identity = result === 'ok' && stored?.identityId ? await deps.persister.identities.getIdentity(stored.identityId) : null;
  if (result !== 'ok' || !identity || !stored) {
    resetMessages(d.ui);
    addMessage(d.ui, msgInvalidCode());
    flow.updatedAt = new Date();
    await deps.persister.flows.updateFlow(flow);
    return answer(deps, req, reply, flow);
  }
  // Kratos calls the after-hooks before it marks the address verified: a failing or refusing hook leaves it unverified.
  try {
    await deps.hooks?.run('verification', 'after', { req, reply, flow, identity });
  } catch (err) {
    // The code is spent either way (Kratos marks it used before the hooks run).
    flow.updatedAt = new Date();
    await deps.persister.flows.updateFlow(flow);
    return retryAfterHookError(deps, req, reply, flow, err);
  }
  await setAddressStatus(deps, identity, stored.address, 'completed');
  const fallback = deps.config.afterReturnURL('verification');
  let target = fallback.href;
  if (d.return_to) {
    try {
      target = deps.returnTo.validate(d.return_to, fallback).href;
    } catch {
      target = fallback.href;
    }
  }
  d.state = 'passed_challenge';
  const ui: UiContainer = { action: target, method: 'GET' as 'POST', nodes: [], messages: [msgVerified()] };
  if (flow.type === 'browser') ui.nodes.push(csrfNode(deps.csrf.maskedIfCookie(req, reply) ?? ''));
  ui.nodes.push(continueNode(target));
  d.ui = ui;
  flow.updatedAt = new Date();
  await deps.persister.flows.updateFlow(flow);
  return answer(deps, req, reply, flow);
}
