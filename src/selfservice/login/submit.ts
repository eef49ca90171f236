import type { FastifyReply, FastifyRequest } from 'fastify';
import { isJsonRequest } from '../../http/negotiate.js';
import { sendError } from '../../http/writer.js';
import { uiText } from '../../x/text.js';
import type { Identity } from '../../identity/types.js';
import type { LoginTicket } from '../../throttle/login.js';
import { decodeFlowBody, field } from '../flow/decode.js';
import {
  FlowFormError,
  apiFlowBrowserCheck,
  errAAL1Required,
  errAlreadyLoggedIn,
  errFlowExpired,
  errIdentityDisabled,
  errStrategyDisabled,
  expiredMessage,
} from '../flow/errors.js';
import { issueSession, redirectBrowserTo, sessionJSON } from '../flow/issue.js';
import { dataOf, newStoredFlow, redirect, sendJSON, type FlowDeps } from '../flow/model.js';
import { forward, loadFlowForSubmit, uiURLOf, writeFlowError } from '../flow/respond.js';
import { addMessage, setValue, unsetValue } from '../flow/ui.js';
import { withQuery } from '../flow/url.js';
import type { StoredFlow } from '../flow/types.js';
import { flowSchema } from './init.js';
import { loginNodes } from './nodes.js';
import { admitLogin, answerThrottled, type LoginThrottleDeps } from './throttled.js';

const missing = (property: string) => uiText(4000002, `Property ${property} is missing.`, 'error', { property });
const invalidCredentials = () =>
  uiText(4000006, 'The provided credentials are invalid, check for spelling mistakes in your password or username, email address, or phone number.', 'error');

/** Kratos's FromOldFlow: same type, request_url and schema; fresh id and CSRF binding; the expiry message. */
export async function replaceExpiredLogin(deps: FlowDeps, req: FastifyRequest, reply: FastifyReply, old: StoredFlow): Promise<StoredFlow> {
  const d = dataOf(old);
  const browser = old.type === 'browser';
  const schema = flowSchema(deps, d.schema_id);
  const flow = newStoredFlow(deps.config, 'login', old.type, browser ? deps.csrf.token(req, reply) : '', {
    request_url: d.request_url,
    return_to: d.return_to,
    ui: {
      action: '',
      method: 'POST',
      nodes: loginNodes({ csrf: browser ? deps.csrf.masked(req, reply) : '', schema: schema.schema, passwordEnabled: deps.config.passwordPolicy.enabled }),
    },
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

/** POST /self-service/login?flow= (updateLoginFlow), password method only. */
export async function submitLogin(deps: FlowDeps & LoginThrottleDeps, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const flow = await loadFlowForSubmit(deps, req, reply, 'login');
  if (!flow) return reply;
  const d = dataOf(flow);
  let typed: string | undefined;
  const refill = (ui: typeof d.ui) => {
    unsetValue(ui, 'password');
    if (typed !== undefined && d.refresh !== true) setValue(ui, 'identifier', typed);
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

    const body = decodeFlowBody(req);
    if (field(body, 'method') !== 'password') {
      throw new FlowFormError([uiText(4010002, 'Could not find a strategy to log you in with. Did you fill out the form correctly?', 'error')]);
    }
    if (!deps.config.passwordPolicy.enabled) return await forward(deps, req, reply, errStrategyDisabled(), flow);

    const identifier = field(body, 'identifier') ?? field(body, 'password_identifier');
    const password = field(body, 'password');
    typed = identifier;
    if (identifier === undefined || password === undefined) {
      const nodes: Array<{ name: string; message: ReturnType<typeof missing> }> = [];
      if (identifier === undefined) nodes.push({ name: 'identifier', message: missing('identifier') });
      if (password === undefined) nodes.push({ name: 'password', message: missing('password') });
      throw new FlowFormError([], nodes);
    }

    if (flow.type === 'api') {
      const bad = apiFlowBrowserCheck(req);
      if (bad) throw bad;
    } else if (!deps.csrf.verify(req, field(body, 'csrf_token'))) {
      return await deps.errors.forward(req, reply, deps.csrf.violation(req, { tokenSent: field(body, 'csrf_token') !== undefined }));
    }

    // Throttled before any hash work; the flow is neither evaluated nor counted.
    const admission = await admitLogin(deps, req, identifier);
    if (!admission.allowed) return answerThrottled(req, reply, flow, admission.retryAfterMs);
    const identity = await settle(admission.ticket, authenticate(deps, identifier, password));
    if (identity.state !== 'active') throw errIdentityDisabled();

    const browser = flow.type === 'browser';
    let target = deps.config.afterReturnURL('login').href;
    if (browser && d.return_to) {
      try {
        target = deps.returnTo.validate(d.return_to, deps.config.afterReturnURL('login')).href;
      } catch (err) {
        return await forward(deps, req, reply, err, flow);
      }
    }
    const { session, token } = await issueSession(deps, req, reply, identity, { browser, existing, refresh: d.refresh === true });
    if (!browser) return sendJSON(reply, 200, { session_token: token, session: sessionJSON(deps, session, identity), continue_with: null });
    if (json) return sendJSON(reply, 200, { session: sessionJSON(deps, session, identity), continue_with: [redirectBrowserTo(target)] });
    return redirect(req, reply, 303, target);
  } catch (err) {
    return writeFlowError(deps, req, reply, flow, err, refill);
  }
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

/**
 * Looks the identifier up and verifies the password. An unknown identifier spends the time of a
 * verification too, so the answer's timing does not reveal which accounts exist.
 */
async function authenticate(deps: FlowDeps, identifier: string, password: string): Promise<Identity> {
  const identity = await deps.identities.findByPasswordIdentifier(identifier);
  if (!identity || !identity.credentials.password) {
    await deps.hasher.burn(password);
    throw new FlowFormError([invalidCredentials()]);
  }
  if (!(await deps.identities.verifyPassword(identity, password))) throw new FlowFormError([invalidCredentials()]);
  return identity;
}
