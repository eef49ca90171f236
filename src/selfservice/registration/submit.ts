import type { FastifyReply, FastifyRequest } from 'fastify';
import { isJsonRequest } from '../../http/negotiate.js';
import { sendError } from '../../http/writer.js';
import { uiText, type UiText } from '../../x/text.js';
import type { SelfServiceDeps } from '../deps.js';
import { identityToJSON } from '../../identity/json.js';
import { DuplicateCredentialsError } from '../../persistence/types.js';
import { decodeFlowBody, field } from '../flow/decode.js';
import { FlowFormError, apiFlowBrowserCheck, errAlreadyLoggedIn, errFlowExpired, errRegistrationDisabled, errStrategyDisabled, expiredMessage } from '../flow/errors.js';
import { redirectBrowserTo, sessionJSON, setOrySessionToken } from '../flow/issue.js';
import { dataOf, redirect, sendJSON } from '../flow/model.js';
import { forward, loadFlowForSubmit, uiURLOf, writeFlowError } from '../flow/respond.js';
import { leafTypeLookup, traitLeaves } from '../flow/schema-ui.js';
import { addMessage, setValue, unsetValue, type UiContainer } from '../flow/ui.js';
import { withQuery } from '../flow/url.js';
import type { StoredFlow } from '../flow/types.js';
import type { HookContext } from '../hook/types.js';
import { flowSchema } from '../flow/identity-schema.js';
import { buildRegistrationFlow } from './init.js';
import type { Identity } from '../../identity/types.js';
import { NIL_UUID } from '../hook/web_hook/ctx.js';

const missing = (property: string) => uiText(4000002, `Property ${property} is missing.`, 'error', { property });

function getPath(obj: unknown, dotted: string): unknown {
  let cur = obj;
  for (const part of dotted.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[part] : undefined;
  return cur;
}

/** Schema violations of traits as node messages (#/traits/email → traits.email) and form messages (the root). */
function traitViolations(deps: SelfServiceDeps, schemaId: string, traits: Record<string, unknown>, nodes: Array<{ name: string; message: UiText }>, form: UiText[]): void {
  for (const v of deps.identities.validateTraits(schemaId, traits)) {
    const name = v.pointer.replace(/^#\/?/, '').split('/').join('.');
    if (name) nodes.push({ name, message: v.message });
    else form.push(v.message);
  }
}

/** The identity a pre-persist hook sees: nothing stored yet, so the nil id and Go's zero times (as Kratos). */
function draftIdentity(schemaId: string, traits: Record<string, unknown>): Identity {
  const zero = new Date(0);
  return {
    id: NIL_UUID,
    schemaId,
    state: 'active',
    stateChangedAt: null,
    traits,
    metadataPublic: null,
    metadataAdmin: null,
    externalId: null,
    organizationId: null,
    verifiableAddresses: [],
    recoveryAddresses: [],
    credentials: {},
    createdAt: zero,
    updatedAt: zero,
  };
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
    // Kratos copies transient_payload into the flow for the hooks of this submit (never stored).
    const tp = body.transient_payload;
    if (tp && typeof tp === 'object' && !Array.isArray(tp)) d.transient_payload = tp as Record<string, unknown>;
    const strategy = deps.strategies.forSubmit(field(body, 'method'), 'registration');
    if (!strategy?.registration) {
      throw new FlowFormError([uiText(4010003, 'Could not find a strategy to sign you up with. Did you fill out the form correctly?', 'error')]);
    }
    if (!strategy.enabled(deps.config)) return await forward(deps, req, reply, errStrategyDisabled(), flow);

    const traits = (body.traits && typeof body.traits === 'object' && !Array.isArray(body.traits) ? body.traits : {}) as Record<string, unknown>;
    const { payload, missing: missingFields } = strategy.registration.parse(body);
    const nodeMessages: Array<{ name: string; message: UiText }> = [];
    const formMessages: UiText[] = [];
    traitViolations(deps, schema.id, traits, nodeMessages, formMessages);
    for (const name of missingFields) nodeMessages.push({ name, message: missing(name) });
    if (nodeMessages.length || formMessages.length) throw new FlowFormError(formMessages, nodeMessages);

    if (flow.type === 'api') {
      const bad = apiFlowBrowserCheck(req);
      if (bad) throw bad;
    } else if (!deps.csrf.verify(req, field(body, 'csrf_token'))) {
      return await deps.errors.forward(req, reply, deps.csrf.violation(req, { tokenSent: field(body, 'csrf_token') !== undefined }));
    }

    let credentials = strategy.registration.credentials({ schemaId: schema.id, traits, payload });

    let target = deps.config.afterReturnURL('registration', strategy.id).href;
    if (flow.type === 'browser' && d.return_to) {
      try {
        target = deps.returnTo.validate(d.return_to, deps.config.afterReturnURL('registration', strategy.id)).href;
      } catch (err) {
        return await forward(deps, req, reply, err, flow);
      }
    }

    // Kratos's pre-persist point: web hooks with response.parse / can_interrupt see the identity about to
    // be created and may change it (then it is validated again) or stop the registration.
    const draft = draftIdentity(schema.id, traits);
    await deps.hooks.runPrePersist('registration', { req, reply, flow, method: strategy.id, identity: draft });
    if (draft.traits !== traits || draft.schemaId !== schema.id) {
      const nodes: Array<{ name: string; message: UiText }> = [];
      const form: UiText[] = [];
      traitViolations(deps, draft.schemaId, draft.traits, nodes, form);
      if (nodes.length || form.length) throw new FlowFormError(form, nodes);
      credentials = strategy.registration.credentials({ schemaId: draft.schemaId, traits: draft.traits, payload });
    }

    let identity;
    try {
      identity = await deps.identities.create({
        schemaId: draft.schemaId,
        traits: draft.traits,
        state: draft.state,
        metadataPublic: draft.metadataPublic ?? undefined,
        metadataAdmin: draft.metadataAdmin ?? undefined,
        externalId: draft.externalId,
        ...(draft.verifiableAddresses.length ? { verifiableAddresses: draft.verifiableAddresses } : {}),
        ...(draft.recoveryAddresses.length ? { recoveryAddresses: draft.recoveryAddresses } : {}),
        ...credentials,
      });
    } catch (err) {
      if (err instanceof DuplicateCredentialsError) {
        throw new FlowFormError([uiText(4000007, 'An account with the same identifier (email, phone, username, ...) exists already.', 'error')]);
      }
      throw err;
    }
    const identityJSON = identityToJSON(identity, { config: deps.config, credentials: 'none', metadataAdmin: false });
    const browser = flow.type === 'browser';
    const hookCtx: HookContext = { req, reply, flow, method: strategy.id, identity, stage: 'post_persist' };
    await deps.hooks.run('registration', 'after', hookCtx);
    if (!hookCtx.issued) {
      if (!browser) return sendJSON(reply, 200, { identity: identityJSON, continue_with: null });
      if (json) return sendJSON(reply, 200, { identity: identityJSON, continue_with: [redirectBrowserTo(target)] });
      return redirect(req, reply, 303, target);
    }
    const { session, token } = hookCtx.issued;
    const sessionBody = sessionJSON(deps, session, identity);
    if (!browser) {
      return sendJSON(reply, 200, { session_token: token, session: sessionBody, identity: identityJSON, continue_with: [setOrySessionToken(token)] });
    }
    if (json) return sendJSON(reply, 200, { session: sessionBody, identity: identityJSON, continue_with: [redirectBrowserTo(target)] });
    return redirect(req, reply, 303, target);
  } catch (err) {
    return writeFlowError(deps, req, reply, flow, err, refill);
  }
}
