import type { FastifyReply, FastifyRequest } from 'fastify';
import { isJsonRequest } from '../../http/negotiate.js';
import { sendError } from '../../http/writer.js';
import { isEmailAddress } from '../../courier/queue.js';
import { uiText } from '../../x/text.js';
import { decodeFlowBody, field } from '../flow/decode.js';
import { FlowFormError, apiFlowBrowserCheck, errAlreadyLoggedIn, expiredMessage } from '../flow/errors.js';
import { dataOf, redirect } from '../flow/model.js';
import { loadFlowForSubmit, writeFlowError } from '../flow/respond.js';
import { addMessage, resetMessages, setValue, type UiContainer } from '../flow/ui.js';
import { prepareRecoverySend } from '../strategy/code/recovery.js';
import type { RecoveryDeps } from './init.js';
import { internalOf, msgPassedChallenge, msgSent, sentEmailNodes } from './flow.js';
import { redeemRecoveryCode } from './redeem.js';
import { answerSameFlow, retryRecovery } from './answer.js';

const MAX_EMAIL = 320;
const missing = (property: string) => uiText(4000002, `Property ${property} is missing.`, 'error', { property });
const noStrategy = () => uiText(4010005, 'Could not find a strategy to recover your account with. Did you fill out the form correctly?', 'error');

/** POST (and GET) /self-service/recovery?flow= (updateRecoveryFlow), in Kratos's order of checks. */
export async function submitRecovery(deps: RecoveryDeps, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const flow = await loadFlowForSubmit(deps, req, reply, 'recovery');
  if (!flow) return reply;
  const d = dataOf(flow);
  const internal = internalOf(flow);
  let email: string | undefined;
  const refill = (ui: UiContainer) => {
    if (email !== undefined && d.state === 'choose_method') setValue(ui, 'email', email);
  };
  try {
    const now = new Date();
    if (flow.expiresAt.getTime() < now.getTime()) return await retryRecovery(deps, req, reply, flow, expiredMessage('recovery', flow.expiresAt, now));

    const body = decodeFlowBody(req);
    email = field(body, 'email');
    if (email !== undefined && (email.length > MAX_EMAIL || !isEmailAddress(email.trim()))) {
      throw new FlowFormError([], [{ name: 'email', message: uiText(4000040, 'Enter a valid email address', 'error', { value: email.slice(0, MAX_EMAIL) }) }]);
    }
    if (!internal.admin) {
      if (flow.type === 'api') {
        const bad = apiFlowBrowserCheck(req);
        if (bad) throw bad;
      } else if (!deps.csrf.verify(req, field(body, 'csrf_token'))) {
        return await deps.errors.forward(req, reply, deps.csrf.violation(req, { tokenSent: field(body, 'csrf_token') !== undefined }));
      }
    }
    resetMessages(d.ui);

    // A code is redeemed before the session check, so a signed-in person can still finish a recovery.
    if (d.state !== 'choose_method' && email === undefined) return await redeemRecoveryCode(deps, req, reply, flow, field(body, 'code') ?? '');

    const existing = await deps.sessions.tryFetchFromRequest(req, { requireActiveIdentity: true });
    if (existing) {
      if (flow.type === 'api' || isJsonRequest(req)) return sendError(req, reply, errAlreadyLoggedIn('recovery'));
      return redirect(req, reply, 302, deps.config.defaultBrowserReturnURL.href);
    }
    if (field(body, 'method') !== 'code') throw new FlowFormError([noStrategy()]);
    if (d.state === 'passed_challenge') return await retryRecovery(deps, req, reply, flow, msgPassedChallenge());
    if (email === undefined || email.trim() === '') throw new FlowFormError([], [{ name: 'email', message: missing('email') }]);

    const tp = body.transient_payload;
    const transient = tp && typeof tp === 'object' && !Array.isArray(tp) ? (tp as Record<string, unknown>) : undefined;
    const prepared = await prepareRecoverySend(deps, req, email, d.request_url, transient);
    // A resend replaces the code in play; the submit counter is kept (only a new flow resets it).
    internal.code = prepared.code;
    d.state = 'sent_email';
    d.active = 'code';
    d.transient_payload = transient;
    d.ui.nodes = sentEmailNodes(flow.type === 'browser' ? deps.csrf.masked(req, reply) : '', email.trim());
    addMessage(d.ui, msgSent());
    flow.updatedAt = new Date();
    await deps.persister.flows.updateFlow(flow, { messages: prepared.messages });
    return answerSameFlow(deps, req, reply, flow);
  } catch (err) {
    return writeFlowError(deps, req, reply, flow, err, refill);
  }
}
