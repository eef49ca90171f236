import type { FastifyReply, FastifyRequest } from 'fastify';
import { isJsonRequest } from '../../http/negotiate.js';
import { identityDisabledMessage } from '../flow/errors.js';
import { issueSession } from '../flow/issue.js';
import { dataOf, redirect, sendJSON, flowToJSON } from '../flow/model.js';
import { resetMessages } from '../flow/ui.js';
import type { StoredFlow } from '../flow/types.js';
import type { HookContext } from '../hook/types.js';
import { checkRecoveryCode } from '../strategy/code/recovery.js';
import type { RecoveryDeps } from './init.js';
import { internalOf, msgInvalidCode, msgTooOften } from './flow.js';
import { answerSameFlow, retryRecovery, retryRecoveryWithError } from './answer.js';
import { continueToSettings } from './continue.js';

const skipSettings = (requestUrl: string): boolean => {
  try {
    return new URL(requestUrl).searchParams.get('skip_settings') === 'true';
  } catch {
    return false;
  }
};

/** Redeems a code on a flow past choose_method (§4.6): attempt limit, check, session, onward to settings. */
export async function redeemRecoveryCode(deps: RecoveryDeps, req: FastifyRequest, reply: FastifyReply, flow: StoredFlow, code: string): Promise<FastifyReply> {
  const d = dataOf(flow);
  const internal = internalOf(flow);
  // Every redemption counts, right ones too, before the code is looked at: the 6th try fails whatever it is.
  internal.submits += 1;
  if (internal.submits > deps.config.codeMethod.maxSubmissions) {
    flow.updatedAt = new Date();
    await deps.persister.flows.updateFlow(flow);
    return retryRecovery(deps, req, reply, flow, msgTooOften());
  }
  const stored = internal.code;
  const check = checkRecoveryCode(deps.config, stored, code);
  if (check !== 'ok' || !stored?.identityId) {
    d.ui.messages = [msgInvalidCode()];
    flow.updatedAt = new Date();
    await deps.persister.flows.updateFlow(flow);
    return answerSameFlow(deps, req, reply, flow);
  }
  // Single use: the code is gone from the flow before anything else can fail.
  delete internal.code;
  d.state = 'passed_challenge';
  resetMessages(d.ui);
  flow.updatedAt = new Date();
  await deps.persister.flows.updateFlow(flow);

  const identity = await deps.persister.identities.getIdentity(stored.identityId);
  if (!identity || identity.state !== 'active') return retryRecovery(deps, req, reply, flow, identityDisabledMessage());
  if (!internal.admin && stored.address) {
    // A self-service code proves control of the address: it counts as verified (admin codes prove nothing).
    const now = new Date();
    let changed = false;
    for (const a of identity.verifiableAddresses) {
      if (a.value === stored.address && !a.verified) {
        Object.assign(a, { verified: true, status: 'completed', verifiedAt: now, updatedAt: now });
        changed = true;
      }
    }
    if (changed) await deps.persister.identities.updateIdentity(identity);
  }

  // The after-hooks run before the session exists, so a failing one leaves no session and no cookie
  // (Kratos: "should not be able to recover if post recovery hook fails"); revoke_active_sessions waits
  // for the new session through onIssued.
  const hookCtx: HookContext = { req, reply, flow, identity };
  try {
    await deps.hooks.run('recovery', 'after', hookCtx);
  } catch (err) {
    return retryRecoveryWithError(deps, req, reply, flow, err);
  }
  const browser = flow.type === 'browser';
  const issued = await issueSession(deps, req, reply, identity, { browser, existing: null, refresh: false, method: 'code_recovery' });
  for (const work of hookCtx.onIssued ?? []) await work(issued);

  const json = flow.type === 'api' || isJsonRequest(req);
  if (skipSettings(d.request_url)) {
    if (json) return sendJSON(reply, 200, flowToJSON(flow));
    const target = d.return_to ? deps.returnTo.validate(d.return_to, deps.config.defaultBrowserReturnURL).href : deps.config.defaultBrowserReturnURL.href;
    return redirect(req, reply, 303, target);
  }
  return continueToSettings(deps, req, reply, flow, identity, issued);
}
