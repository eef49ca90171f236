import type { FastifyReply, FastifyRequest } from 'fastify';
import { isJsonRequest } from '../../http/negotiate.js';
import { sendError } from '../../http/writer.js';
import { uiText } from '../../x/text.js';
import type { Identity } from '../../identity/types.js';
import { DuplicateCredentialsError } from '../../identity/store.js';
import type { AuthenticatedSession } from '../../session/manager.js';
import { decodeFlowBody, field } from '../flow/decode.js';
import { FlowFormError, PrivilegedSessionRequired, apiFlowBrowserCheck, expiredMessage } from '../flow/errors.js';
import { redirectBrowserTo } from '../flow/issue.js';
import { dataOf, flowToJSON, redirect, sendJSON } from '../flow/model.js';
import { flowIdOf, forward, uiURLOf, writeFlowError } from '../flow/respond.js';
import { leafTypeLookup } from '../flow/schema-ui.js';
import { addMessage, type UiContainer } from '../flow/ui.js';
import { withQuery } from '../flow/url.js';
import type { StoredFlow } from '../flow/types.js';
import { flowSchema } from '../flow/identity-schema.js';
import type { HookContext } from '../hook/types.js';
import type { SelfServiceDeps } from '../deps.js';
import { answerNoSession, answerRefreshRequired, isPrivileged } from './access.js';
import { buildSettingsFlow, identityJSON } from './init.js';
import { settingsNodes } from './nodes.js';
import { verifyChangedAddresses } from './verification-seam.js';
import { errFlowExpired, errFlowParam, errIdentityMismatch, errSettingsNotFound, errStrategyDisabled } from '../../http/catalogue/index.js';

async function replaceExpired(deps: SelfServiceDeps, req: FastifyRequest, reply: FastifyReply, old: StoredFlow, identity: Identity): Promise<StoredFlow> {
  const d = dataOf(old);
  const flow = buildSettingsFlow(deps, req, reply, old.type, identity, { request_url: d.request_url, return_to: d.return_to });
  addMessage(dataOf(flow).ui, expiredMessage('settings', old.expiresAt, new Date()));
  await deps.persister.flows.createFlow(flow);
  return flow;
}

/**
 * Where a browser goes after a successful change: the flow's return_to when still allowed, else the
 * method's or the flow's configured URL, else back to this same flow's UI (Kratos's PostSettingsHook).
 */
function returnTarget(deps: SelfServiceDeps, flow: StoredFlow, method: string): string {
  const d = dataOf(flow);
  const configured = (deps.config.get(`selfservice.flows.settings.after.${method}.default_browser_return_url`) ||
    deps.config.get('selfservice.flows.settings.after.default_browser_return_url')) as string | undefined;
  const fallback = configured ? new URL(configured) : new URL(withQuery(uiURLOf(deps, 'settings'), 'flow', flow.id));
  if (d.return_to) {
    try {
      return deps.returnTo.validate(d.return_to, fallback).href;
    } catch {
      // A return_to that is no longer allowed falls back, as Kratos's redirect helper does.
    }
  }
  return fallback.href;
}

/** The session, flow and identity a submit acts on; answers (and returns null) when one is missing or foreign. */
async function loadContext(
  deps: SelfServiceDeps,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<{ flow: StoredFlow; auth: AuthenticatedSession } | null> {
  const id = flowIdOf(req, 'flow');
  if (!id) {
    await deps.errors.forward(req, reply, errFlowParam());
    return null;
  }
  const flow = await deps.persister.flows.getFlow('settings', id);
  if (!flow) {
    await deps.errors.forward(req, reply, errSettingsNotFound());
    return null;
  }
  const auth = await deps.sessions.tryFetchFromRequest(req, { requireActiveIdentity: true });
  if (!auth) {
    await answerNoSession(deps.config, req, reply);
    return null;
  }
  return { flow, auth };
}

/** POST (and GET, after a refresh login) /self-service/settings?flow= (updateSettingsFlow). */
export async function submitSettings(deps: SelfServiceDeps, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const ctx = await loadContext(deps, req, reply);
  if (!ctx) return reply;
  const { flow, auth } = ctx;
  const d = dataOf(flow);
  const json = isJsonRequest(req);
  let body: Record<string, unknown> | undefined;
  let chosen: string | undefined;
  const refill = (ui: UiContainer) => {
    for (const s of deps.strategies.settingsMethods()) s.settings.refill(ui, s.id === chosen ? body : undefined);
  };
  try {
    const identity = await deps.identities.get(auth.identity.id);
    if (!identity) return await answerNoSession(deps.config, req, reply);
    const now = new Date();
    if (flow.expiresAt.getTime() < now.getTime()) {
      const next = await replaceExpired(deps, req, reply, flow, identity);
      if (flow.type === 'api' || json) return sendError(req, reply, errFlowExpired(flow.expiresAt, now, next.id));
      return redirect(req, reply, 303, withQuery(uiURLOf(deps, 'settings'), 'flow', next.id));
    }
    if (d.identity_id !== identity.id) return await forward(deps, req, reply, errIdentityMismatch('submit'), flow);

    // The browser comes back here after a refresh login: the form is shown again, now privileged.
    // Porta does not keep the paused submit (Kratos's continuity container), so the person re-enters it.
    if (req.method === 'GET' && flow.type === 'browser' && !json) {
      return redirect(req, reply, 303, withQuery(uiURLOf(deps, 'settings'), 'flow', flow.id));
    }

    const schema = flowSchema(deps, identity.schemaId);
    body = req.method === 'GET' ? {} : decodeFlowBody(req, { typeOf: leafTypeLookup(schema.schema) });
    const strategy = deps.strategies.forSubmit(field(body, 'method'), 'settings');
    if (!strategy?.settings) {
      throw new FlowFormError([uiText(4010004, 'Could not find a strategy to update your settings. Did you fill out the form correctly?', 'error')]);
    }
    if (!strategy.enabled(deps.config)) return await forward(deps, req, reply, errStrategyDisabled(), flow);
    chosen = strategy.id;
    const payload = strategy.settings.parse(body, { schema: schema.schema });

    if (flow.type === 'api') {
      const bad = apiFlowBrowserCheck(req);
      if (bad) throw bad;
    } else if (!deps.csrf.verify(req, field(body, 'csrf_token'))) {
      return await deps.errors.forward(req, reply, deps.csrf.violation(req, { tokenSent: field(body, 'csrf_token') !== undefined }));
    }

    let updated: Identity;
    try {
      updated = await strategy.settings.apply({ identity, payload, privileged: isPrivileged(deps.config, auth.session) });
    } catch (err) {
      if (err instanceof PrivilegedSessionRequired) return await answerRefreshRequired(deps.config, req, reply, flow);
      throw err;
    }
    // Pre-persist hooks (parse / can_interrupt) may change the proposed identity before it is stored.
    updated = { ...updated };
    await deps.hooks.runPrePersist('settings', { req, reply, flow, method: strategy.id, identity: updated, session: auth.session });
    const target = returnTarget(deps, flow, strategy.id);
    try {
      await deps.identities.update(identity, updated);
    } catch (err) {
      if (err instanceof DuplicateCredentialsError) {
        throw new FlowFormError([uiText(4000007, 'An account with the same identifier (email, phone, username, ...) exists already.', 'error')]);
      }
      throw err;
    }

    // The flow stays in `success` from now on; its form is rendered again for the updated identity.
    const browser = flow.type === 'browser';
    d.state = 'success';
    d.identity = identityJSON(deps, updated);
    d.ui = {
      action: d.ui.action,
      method: 'POST',
      nodes: settingsNodes(deps.strategies, { csrf: browser ? deps.csrf.masked(req, reply) : '', schema: schema.schema, identity: updated }),
      messages: [uiText(1050001, 'Your changes have been saved!', 'success')],
    };
    flow.updatedAt = new Date();
    await deps.persister.flows.updateFlow(flow);

    await verifyChangedAddresses(deps, identity, updated);
    const hookCtx: HookContext = { req, reply, flow, method: strategy.id, identity: updated, session: auth.session };
    await deps.hooks.run('settings', 'after', hookCtx);

    if (!browser) return sendJSON(reply, 200, flowToJSON(flow));
    // Kratos re-issues the session cookie of a browser flow (same session, same token).
    if (auth.via === 'cookie') deps.sessions.issueCookie(reply, auth.token, auth.session);
    if (json) return sendJSON(reply, 200, { ...flowToJSON(flow), continue_with: [redirectBrowserTo(target)] });
    return redirect(req, reply, 303, target);
  } catch (err) {
    return writeFlowError(deps, req, reply, flow, err, refill);
  }
}
