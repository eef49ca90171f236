import type { FastifyReply, FastifyRequest } from 'fastify';
import { isJsonRequest } from '../../http/negotiate.js';
import { sendError } from '../../http/writer.js';
import { uiText, type UiText } from '../../x/text.js';
import type { SelfServiceDeps } from '../deps.js';
import { identityToJSON } from '../../identity/json.js';
import type { Identity } from '../../identity/types.js';
import { DuplicateCredentialsError } from '../../identity/store.js';
import { decodeFlowBody, field } from '../flow/decode.js';
import { FlowFormError, apiFlowBrowserCheck, errAlreadyLoggedIn, expiredMessage } from '../flow/errors.js';
import { redirectBrowserTo, sessionJSON, setOrySessionToken } from '../flow/issue.js';
import { dataOf, redirect, sendJSON } from '../flow/model.js';
import { forward, loadFlowForSubmit, uiURLOf, writeFlowError } from '../flow/respond.js';
import { leafTypeLookup, traitLeaves } from '../flow/schema-ui.js';
import { addMessage, setValue, type UiContainer } from '../flow/ui.js';
import { withQuery } from '../flow/url.js';
import type { StoredFlow } from '../flow/types.js';
import type { HookContext } from '../hook/types.js';
import { flowSchema } from '../flow/identity-schema.js';
import { buildRegistrationFlow } from './init.js';
import { startVerification } from '../hook/verification.js';
import { errFlowExpired, errRegistrationDisabled, errStrategyDisabled } from '../../http/catalogue/index.js';

/** The session hook gave the browser a new CSRF cookie: the verification flow follows it, or its UI could not load it. */
async function rebindVerificationCsrf(deps: SelfServiceDeps, req: FastifyRequest, reply: FastifyReply, id: string): Promise<void> {
  const vflow = await deps.persister.flows.getFlow('verification', id);
  if (!vflow) return;
  vflow.csrfToken = deps.csrf.token(req, reply);
  setValue(dataOf(vflow).ui, 'csrf_token', deps.csrf.masked(req, reply));
  await deps.persister.flows.updateFlow(vflow);
}

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** The identity a registration is about to create, as pre-persist hooks see it (Kratos's NewIdentity). */
function draftIdentity(schemaId: string, traits: Record<string, unknown>): Identity {
  const zero = new Date(0);
  return {
    id: NIL_UUID, schemaId, state: 'active', stateChangedAt: null, traits, metadataPublic: null, metadataAdmin: null, externalId: null,
    organizationId: null, verifiableAddresses: [], recoveryAddresses: [], credentials: {}, createdAt: zero, updatedAt: zero,
  };
}

const missing = (property: string) => uiText(4000002, `Property ${property} is missing.`, 'error', { property });

function getPath(obj: unknown, dotted: string): unknown {
  let cur = obj;
  for (const part of dotted.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[part] : undefined;
  return cur;
}

/** Writes the submitted trait values back into their nodes; the methods' secrets are never echoed. */
function refillTraits(deps: SelfServiceDeps, ui: UiContainer, schema: Record<string, unknown>, body: Record<string, unknown> | undefined): void {
  for (const s of deps.strategies.registrationMethods()) s.registration.clear(ui);
  if (!body) return;
  for (const leaf of traitLeaves(schema)) {
    const v = getPath(body, leaf.name);
    if (v !== undefined) setValue(ui, leaf.name, v);
  }
}

async function replaceExpired(deps: SelfServiceDeps, req: FastifyRequest, reply: FastifyReply, old: StoredFlow): Promise<StoredFlow> {
  const d = dataOf(old);
  const flow = buildRegistrationFlow(deps, req, reply, old.type, {
    request_url: d.request_url,
    return_to: d.return_to,
    identity_schema: d.identity_schema,
    schema_id: d.schema_id,
  });
  addMessage(dataOf(flow).ui, expiredMessage('registration', old.expiresAt, new Date()));
  await deps.persister.flows.createFlow(flow);
  return flow;
}

/** POST /self-service/registration?flow= (updateRegistrationFlow), one-step: traits plus one method. */
export async function submitRegistration(deps: SelfServiceDeps, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const json = isJsonRequest(req);
  if (await deps.sessions.tryFetchFromRequest(req, { requireActiveIdentity: true })) {
    if (json) return sendError(req, reply, errAlreadyLoggedIn('registration'));
    return redirect(req, reply, 302, deps.config.defaultBrowserReturnURL.href);
  }
  const flow = await loadFlowForSubmit(deps, req, reply, 'registration');
  if (!flow) return reply;
  if (!deps.config.registrationEnabled) return forward(deps, req, reply, errRegistrationDisabled(), flow);
  const d = dataOf(flow);
  const schema = flowSchema(deps, d.schema_id);
  let body: Record<string, unknown> | undefined;
  const refill = (ui: UiContainer) => refillTraits(deps, ui, schema.schema, body);
  try {
    const now = new Date();
    if (flow.expiresAt.getTime() < now.getTime()) {
      const next = await replaceExpired(deps, req, reply, flow);
      if (flow.type === 'api' || json) return sendError(req, reply, errFlowExpired(flow.expiresAt, now, next.id));
      return redirect(req, reply, 303, withQuery(uiURLOf(deps, 'registration'), 'flow', next.id));
    }

    body = decodeFlowBody(req, { typeOf: leafTypeLookup(schema.schema) });
    const strategy = deps.strategies.forSubmit(field(body, 'method'), 'registration');
    if (!strategy?.registration) {
      throw new FlowFormError([uiText(4010003, 'Could not find a strategy to sign you up with. Did you fill out the form correctly?', 'error')]);
    }
    if (!strategy.enabled(deps.config)) return await forward(deps, req, reply, errStrategyDisabled(), flow);

    const traits = (body.traits && typeof body.traits === 'object' && !Array.isArray(body.traits) ? body.traits : {}) as Record<string, unknown>;
    const { payload, missing: missingFields } = strategy.registration.parse(body);
    const nodeMessages: Array<{ name: string; message: UiText }> = [];
    const formMessages: UiText[] = [];
    for (const v of deps.identities.validateTraits(schema.id, traits)) {
      // An instance pointer names the node (#/traits/email → traits.email); the root goes to the form.
      const name = v.pointer.replace(/^#\/?/, '').split('/').join('.');
      if (name) nodeMessages.push({ name, message: v.message });
      else formMessages.push(v.message);
    }
    for (const name of missingFields) nodeMessages.push({ name, message: missing(name) });
    if (nodeMessages.length || formMessages.length) throw new FlowFormError(formMessages, nodeMessages);

    if (flow.type === 'api') {
      const bad = apiFlowBrowserCheck(req);
      if (bad) throw bad;
    } else if (!deps.csrf.verify(req, field(body, 'csrf_token'))) {
      return await deps.errors.forward(req, reply, deps.csrf.violation(req, { tokenSent: field(body, 'csrf_token') !== undefined }));
    }

    const credentials = strategy.registration.credentials({ schemaId: schema.id, traits, payload });

    let target = deps.config.afterReturnURL('registration', strategy.id).href;
    if (flow.type === 'browser' && d.return_to) {
      try {
        target = deps.returnTo.validate(d.return_to, deps.config.afterReturnURL('registration', strategy.id)).href;
      } catch (err) {
        return await forward(deps, req, reply, err, flow);
      }
    }

    // Pre-persist hooks (a web_hook with parse or can_interrupt) see the identity before it exists (nil
    // id) and may change it; changed traits are validated again.
    const draft = draftIdentity(schema.id, traits);
    await deps.hooks.runPrePersist('registration', { req, reply, flow, method: strategy.id, identity: draft });
    if (draft.traits !== traits) {
      const errs = deps.identities.validateTraits(draft.schemaId, draft.traits);
      if (errs.length) throw new FlowFormError(errs.map((v) => v.message));
    }

    let identity;
    try {
      identity = await deps.identities.create({
        schemaId: draft.schemaId,
        traits: draft.traits,
        ...credentials,
        state: draft.state,
        metadataPublic: draft.metadataPublic ?? undefined,
        metadataAdmin: draft.metadataAdmin ?? undefined,
        externalId: draft.externalId,
      });
    } catch (err) {
      if (err instanceof DuplicateCredentialsError) {
        throw new FlowFormError([uiText(4000007, 'An account with the same identifier (email, phone, username, ...) exists already.', 'error')]);
      }
      throw err;
    }
    const identityJSON = identityToJSON(identity, { config: deps.config, credentials: 'none', metadataAdmin: false });
    const browser = flow.type === 'browser';
    const hookCtx: HookContext = { req, reply, flow, method: strategy.id, identity };
    // Kratos's automatic verification runs first among the post-persist hooks (with verification enabled).
    hookCtx.verification = await startVerification(deps, req, reply, identity, flow.type, { request_url: d.request_url, return_to: d.return_to });
    await deps.hooks.run('registration', 'after', hookCtx);
    if (hookCtx.verification && hookCtx.issued && browser) await rebindVerificationCsrf(deps, req, reply, hookCtx.verification.id);
    const extra = hookCtx.continueWith ?? [];
    if (hookCtx.browserRedirect) target = hookCtx.browserRedirect;
    if (!hookCtx.issued) {
      if (!browser) return sendJSON(reply, 200, { identity: identityJSON, continue_with: extra.length ? extra : null });
      if (json) return sendJSON(reply, 200, { identity: identityJSON, continue_with: [...extra, redirectBrowserTo(target)] });
      return redirect(req, reply, 303, target);
    }
    const { session, token } = hookCtx.issued;
    const sessionBody = sessionJSON(deps, session, identity);
    if (!browser) {
      return sendJSON(reply, 200, { session_token: token, session: sessionBody, identity: identityJSON, continue_with: [...extra, setOrySessionToken(token)] });
    }
    if (json) return sendJSON(reply, 200, { session: sessionBody, identity: identityJSON, continue_with: [...extra, redirectBrowserTo(target)] });
    return redirect(req, reply, 303, target);
  } catch (err) {
    return writeFlowError(deps, req, reply, flow, err, refill);
  }
}
