import type { FastifyReply, FastifyRequest } from 'fastify';
import { isJsonRequest } from '../../http/negotiate.js';
import { sendError } from '../../http/writer.js';
import { uiText } from '../../x/text.js';
import type { Identity } from '../../identity/types.js';
import type { Session } from '../../session/types.js';
import { newId } from '../../x/tokens.js';
import type { LoginTicket } from '../../throttle/login.js';
import { decodeFlowBody, field } from '../flow/decode.js';
import { FlowFormError, apiFlowBrowserCheck, errAlreadyLoggedIn, expiredMessage } from '../flow/errors.js';
import type { HookContext } from '../hook/types.js';
import { issueSession, redirectBrowserTo, sessionJSON } from '../flow/issue.js';
import { dataOf, newStoredFlow, redirect, sendJSON } from '../flow/model.js';
import { forward, loadFlowForSubmit, uiURLOf, writeFlowError } from '../flow/respond.js';
import { addMessage } from '../flow/ui.js';
import { withQuery } from '../flow/url.js';
import type { StoredFlow } from '../flow/types.js';
import type { SelfServiceDeps } from '../deps.js';
import { flowSchema } from '../flow/identity-schema.js';
import { loginNodes } from './nodes.js';
import { admitLogin, answerThrottled, type LoginThrottleDeps } from './throttled.js';
import { errAAL1Required, errFlowExpired, errIdentityDisabled, errStrategyDisabled } from '../../http/catalogue/index.js';

/** Kratos's FromOldFlow: same type, request_url and schema; fresh id and CSRF binding; the expiry message. */
export async function replaceExpiredLogin(deps: SelfServiceDeps, req: FastifyRequest, reply: FastifyReply, old: StoredFlow): Promise<StoredFlow> {
  const d = dataOf(old);
  const browser = old.type === 'browser';
  const schema = flowSchema(deps, d.schema_id);
  const flow = newStoredFlow(deps.config, 'login', old.type, browser ? deps.csrf.token(req, reply) : '', {
    request_url: d.request_url,
    return_to: d.return_to,
    ui: { action: '', method: 'POST', nodes: loginNodes(deps.strategies, { csrf: browser ? deps.csrf.masked(req, reply) : '', schema: schema.schema }) },
    refresh: false,
    requested_aal: d.requested_aal ?? 'aal1',
    state: 'choose_method',
    identity_schema: d.identity_schema,
    schema_id: d.schema_id,
  });
  addMessage(dataOf(flow).ui, expiredMessage('login', old.expiresAt, new Date()));
  await deps.persister.flows.createFlow(flow);
  return flow;
}

/** POST /self-service/login?flow= (updateLoginFlow): the method named by `method` authenticates. */
export async function submitLogin(deps: SelfServiceDeps & LoginThrottleDeps, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const flow = await loadFlowForSubmit(deps, req, reply, 'login');
  if (!flow) return reply;
  const d = dataOf(flow);
  let body: Record<string, unknown> | undefined;
  let chosen: string | undefined;
  const refill = (ui: typeof d.ui) => {
    for (const s of deps.strategies.loginMethods()) s.login.refill(ui, s.id === chosen ? body : undefined, d.refresh === true);
  };
  try {
    const existing = await deps.sessions.tryFetchFromRequest(req, { requireActiveIdentity: true });
    const json = isJsonRequest(req);
    if (existing && d.refresh !== true && (d.requested_aal ?? 'aal1') === 'aal1') {
      if (flow.type === 'api' || json) return await writeFlowError(deps, req, reply, flow, errAlreadyLoggedIn('login'), refill);
      return redirect(req, reply, 303, deps.config.defaultBrowserReturnURL.href);
    }
    if (!existing && d.requested_aal === 'aal2') return await forward(deps, req, reply, errAAL1Required(), flow);

    const now = new Date();
    if (flow.expiresAt.getTime() < now.getTime()) {
      const next = await replaceExpiredLogin(deps, req, reply, flow);
      if (flow.type === 'api' || json) return sendError(req, reply, errFlowExpired(flow.expiresAt, now, next.id));
      return redirect(req, reply, 303, withQuery(uiURLOf(deps, 'login'), 'flow', next.id));
    }

    body = decodeFlowBody(req);
    const strategy = deps.strategies.forSubmit(field(body, 'method'), 'login');
    if (!strategy?.login) {
      throw new FlowFormError([uiText(4010002, 'Could not find a strategy to log you in with. Did you fill out the form correctly?', 'error')]);
    }
    if (!strategy.enabled(deps.config)) return await forward(deps, req, reply, errStrategyDisabled(), flow);
    chosen = strategy.id;
    const payload = strategy.login.parse(body);

    if (flow.type === 'api') {
      const bad = apiFlowBrowserCheck(req);
      if (bad) throw bad;
    } else if (!deps.csrf.verify(req, field(body, 'csrf_token'))) {
      return await deps.errors.forward(req, reply, deps.csrf.violation(req, { tokenSent: field(body, 'csrf_token') !== undefined }));
    }

    // Throttled before any hash work; a refused attempt is neither evaluated nor counted. A method whose
    // attempt names no account is not throttled here.
    const subject = strategy.login.throttleKey?.(payload);
    let identity: Identity;
    if (subject === undefined) identity = await strategy.login.authenticate(payload);
    else {
      const admission = await admitLogin(deps, req, subject);
      if (!admission.allowed) return answerThrottled(req, reply, flow, admission.retryAfterMs);
      identity = await settle(admission.ticket, strategy.login.authenticate(payload));
    }
    if (identity.state !== 'active') throw errIdentityDisabled();

    const browser = flow.type === 'browser';
    let target = deps.config.afterReturnURL('login', strategy.id).href;
    if (browser && d.return_to) {
      try {
        target = deps.returnTo.validate(d.return_to, deps.config.afterReturnURL('login', strategy.id)).href;
      } catch (err) {
        return await forward(deps, req, reply, err, flow);
      }
    }
    // After-login hooks run before the session exists: require_verified_address may refuse it.
    const refresh = d.refresh === true && existing?.identity.id === identity.id;
    const draftSession = draftSessionOf(deps, identity, strategy.id, strategy.aal, refresh ? existing.session : undefined);
    const hookCtx: HookContext = { req, reply, flow, method: strategy.id, identity, draftSession };
    await deps.hooks.run('login', 'after', hookCtx);
    if (hookCtx.answered) return reply;
    const { session, token } = await issueSession(deps, req, reply, identity, {
      browser,
      existing,
      refresh: d.refresh === true,
      method: strategy.id,
      aal: strategy.aal,
      id: draftSession.id,
    });
    for (const work of hookCtx.onIssued ?? []) await work({ session, token });
    if (!browser) return sendJSON(reply, 200, { session_token: token, session: sessionJSON(deps, session, identity), continue_with: null });
    if (json) return sendJSON(reply, 200, { session: sessionJSON(deps, session, identity), continue_with: [redirectBrowserTo(target)] });
    return redirect(req, reply, 303, target);
  } catch (err) {
    return writeFlowError(deps, req, reply, flow, err, refill);
  }
}

/** The session a login is about to store, as its after-hooks see it (Kratos runs them before the store). */
function draftSessionOf(deps: SelfServiceDeps, identity: Identity, method: string, aal: 'aal1' | 'aal2' | undefined, refreshed?: Session): Session {
  const now = new Date();
  const m = { method, aal: aal ?? 'aal1', completedAt: now };
  if (refreshed) return { ...refreshed, authenticatedAt: now, authenticationMethods: [...refreshed.authenticationMethods, m] };
  const expiresAt = new Date(now.getTime() + deps.config.sessionLifespanMs);
  return { id: newId(), identityId: identity.id, active: true, expiresAt, authenticatedAt: now, issuedAt: now, lastActiveAt: now, aal: m.aal, authenticationMethods: [m], devices: [], createdAt: now, updatedAt: now };
}

/** Tells the throttle how the attempt ended: a credentials error is a failure, any other error counts for nothing. */
async function settle(ticket: LoginTicket, attempt: Promise<Identity>): Promise<Identity> {
  let identity: Identity;
  try {
    identity = await attempt;
  } catch (err) {
    await (err instanceof FlowFormError ? ticket.failed() : ticket.abandon());
    throw err;
  }
  await ticket.succeeded();
  return identity;
}
