import type { FastifyReply, FastifyRequest } from 'fastify';
import { isJsonRequest } from '../../http/negotiate.js';
import { sendError } from '../../http/writer.js';
import { uiText, type UiText } from '../../x/text.js';
import { identityToJSON } from '../../identity/json.js';
import { DuplicateCredentialsError } from '../../persistence/types.js';
import { decodeFlowBody, field } from '../flow/decode.js';
import { FlowFormError, apiFlowBrowserCheck, errAlreadyLoggedIn, errFlowExpired, errRegistrationDisabled, errStrategyDisabled, expiredMessage } from '../flow/errors.js';
import { issueSession, redirectBrowserTo, sessionJSON, setOrySessionToken } from '../flow/issue.js';
import { dataOf, redirect, sendJSON, type FlowDeps } from '../flow/model.js';
import { checkPassword } from '../flow/password-policy.js';
import { forward, loadFlowForSubmit, uiURLOf, writeFlowError } from '../flow/respond.js';
import { leafTypeLookup, traitLeaves } from '../flow/schema-ui.js';
import { addMessage, setValue, unsetValue, type UiContainer } from '../flow/ui.js';
import { withQuery } from '../flow/url.js';
import type { StoredFlow } from '../flow/types.js';
import { flowSchema } from '../login/init.js';
import { buildRegistrationFlow } from './init.js';

const missing = (property: string) => uiText(4000002, `Property ${property} is missing.`, 'error', { property });
const BCRYPT_MAX_BYTES = 72;

function getPath(obj: unknown, dotted: string): unknown {
  let cur = obj;
  for (const part of dotted.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[part] : undefined;
  return cur;
}

/** Writes the submitted trait values back into their nodes; the password is never echoed. */
function refillTraits(ui: UiContainer, schema: Record<string, unknown>, body: Record<string, unknown> | undefined): void {
  unsetValue(ui, 'password');
  if (!body) return;
  for (const leaf of traitLeaves(schema)) {
    const v = getPath(body, leaf.name);
    if (v !== undefined) setValue(ui, leaf.name, v);
  }
}

async function replaceExpired(deps: FlowDeps, req: FastifyRequest, reply: FastifyReply, old: StoredFlow): Promise<StoredFlow> {
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

/** POST /self-service/registration?flow= (updateRegistrationFlow), one-step, password method. */
export async function submitRegistration(deps: FlowDeps, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
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
  const refill = (ui: UiContainer) => refillTraits(ui, schema.schema, body);
  try {
    const now = new Date();
    if (flow.expiresAt.getTime() < now.getTime()) {
      const next = await replaceExpired(deps, req, reply, flow);
      if (flow.type === 'api' || json) return sendError(req, reply, errFlowExpired(flow.expiresAt, now, next.id));
      return redirect(req, reply, 303, withQuery(uiURLOf(deps, 'registration'), 'flow', next.id));
    }

    body = decodeFlowBody(req, { typeOf: leafTypeLookup(schema.schema) });
    if (field(body, 'method') !== 'password') {
      throw new FlowFormError([uiText(4010003, 'Could not find a strategy to sign you up with. Did you fill out the form correctly?', 'error')]);
    }
    if (!deps.config.passwordPolicy.enabled) return await forward(deps, req, reply, errStrategyDisabled(), flow);

    const traits = (body.traits && typeof body.traits === 'object' && !Array.isArray(body.traits) ? body.traits : {}) as Record<string, unknown>;
    const password = field(body, 'password');
    const nodeMessages: Array<{ name: string; message: UiText }> = [];
    const formMessages: UiText[] = [];
    for (const v of deps.identities.validateTraits(schema.id, traits)) {
      // An instance pointer names the node (#/traits/email → traits.email); the root goes to the form.
      const name = v.pointer.replace(/^#\/?/, '').split('/').join('.');
      if (name) nodeMessages.push({ name, message: v.message });
      else formMessages.push(v.message);
    }
    if (password === undefined) nodeMessages.push({ name: 'password', message: missing('password') });
    if (nodeMessages.length || formMessages.length) throw new FlowFormError(formMessages, nodeMessages);

    if (flow.type === 'api') {
      const bad = apiFlowBrowserCheck(req);
      if (bad) throw bad;
    } else if (!deps.csrf.verify(req, field(body, 'csrf_token'))) {
      return await deps.errors.forward(req, reply, deps.csrf.violation(req, { tokenSent: field(body, 'csrf_token') !== undefined }));
    }

    const pw = password as string;
    const identifiers = deps.identities.passwordIdentifiers(schema.id, traits);
    if (identifiers.length === 0) {
      throw new FlowFormError([
        uiText(4000009, 'Could not find any login identifiers. Did you forget to set them? This could also be caused by a server misconfiguration.', 'error'),
      ]);
    }
    const policyMessage = passwordMessage(deps, identifiers, pw);
    if (policyMessage) throw new FlowFormError([], [{ name: 'password', message: policyMessage }]);

    let target = deps.config.afterReturnURL('registration').href;
    if (flow.type === 'browser' && d.return_to) {
      try {
        target = deps.returnTo.validate(d.return_to, deps.config.afterReturnURL('registration')).href;
      } catch (err) {
        return await forward(deps, req, reply, err, flow);
      }
    }

    let identity;
    try {
      identity = await deps.identities.create({ schemaId: schema.id, traits, password: { cleartext: pw } });
    } catch (err) {
      if (err instanceof DuplicateCredentialsError) {
        throw new FlowFormError([uiText(4000007, 'An account with the same identifier (email, phone, username, ...) exists already.', 'error')]);
      }
      throw err;
    }
    const identityJSON = identityToJSON(identity, { config: deps.config, credentials: 'none', metadataAdmin: false });
    const browser = flow.type === 'browser';
    if (!deps.config.registrationSessionHook) {
      if (!browser) return sendJSON(reply, 200, { identity: identityJSON, continue_with: null });
      if (json) return sendJSON(reply, 200, { identity: identityJSON, continue_with: [redirectBrowserTo(target)] });
      return redirect(req, reply, 303, target);
    }
    const { session, token } = await issueSession(deps, req, reply, identity, { browser, existing: null, refresh: false });
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

function passwordMessage(deps: FlowDeps, identifiers: string[], password: string): UiText | undefined {
  const policy = checkPassword(deps.config.passwordPolicy, identifiers, password);
  if (policy) return policy;
  const length = Buffer.byteLength(password, 'utf8');
  if (deps.config.hasherAlgorithm === 'bcrypt' && length > BCRYPT_MAX_BYTES) {
    return uiText(4000033, `The password must be at most ${BCRYPT_MAX_BYTES} characters long, but got ${length}.`, 'error', {
      actual_length: length,
      max_length: BCRYPT_MAX_BYTES,
    });
  }
  return undefined;
}
