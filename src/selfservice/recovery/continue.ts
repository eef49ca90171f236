import type { FastifyReply, FastifyRequest } from 'fastify';
import { errBrowserLocationChange } from '../../http/catalogue/index.js';
import { isJsonRequest } from '../../http/negotiate.js';
import { sendError } from '../../http/writer.js';
import type { Identity } from '../../identity/types.js';
import { goTime } from '../../x/go/time.js';
import { uiText, type UiText } from '../../x/text.js';
import { setOrySessionToken, type Issued } from '../flow/issue.js';
import { dataOf, flowToJSON, redirect, sendJSON } from '../flow/model.js';
import { uiURLOf } from '../flow/respond.js';
import { addMessage } from '../flow/ui.js';
import { requestURL, withQuery } from '../flow/url.js';
import type { StoredFlow } from '../flow/types.js';
import { createSettingsFlow } from '../settings/init.js';
import type { RecoveryDeps } from './init.js';

/** 1060001 on the new settings flow: how long the recovered session stays privileged (Kratos prints %.2f minutes). */
function msgRecovered(privilegedUntil: Date, now: number): UiText {
  const minutes = ((privilegedUntil.getTime() - now) / 60_000).toFixed(2);
  return uiText(
    1060001,
    `You successfully recovered your account. Please change your password or set up an alternative login method (e.g. social sign in) within the next ${minutes} minutes.`,
    'success',
    { privileged_session_expires_at: goTime(privilegedUntil) },
  );
}

/**
 * Where the settings flow sends the person once the password is set: the recovery flow's return_to,
 * else recovery.after.default_browser_return_url when configured (Kratos's TakeOverReturnToParameter).
 */
function settingsReturnTo(deps: RecoveryDeps, flow: StoredFlow): string | undefined {
  const d = dataOf(flow);
  if (d.return_to) return d.return_to;
  const after = deps.config.afterReturnURL('recovery', 'code');
  return after.href !== deps.config.defaultBrowserReturnURL.href ? after.href : undefined;
}

/** The recovery flow's JSON with the transient continue_with list in Kratos's key order (before transient_payload). */
function withContinueWith(flow: StoredFlow, items: unknown[]): Record<string, unknown> {
  const { transient_payload: tp, ...head } = flowToJSON(flow);
  return tp === undefined ? { ...head, continue_with: items } : { ...head, continue_with: items, transient_payload: tp };
}

/**
 * After a redeemed code (Kratos's recoveryIssueSession): a settings flow of the recovery flow's type is
 * created for the new session through the settings flow's own creation path, carrying the return_to on,
 * and the person is sent to it. Browsers: 303 to the settings UI. SPA (a browser flow answered as JSON):
 * Kratos's 422 browser_location_change_required. Native (API flows): 200 with the recovery flow in
 * passed_challenge and continue_with [set_ory_session_token, show_settings_ui]; this is what Kratos
 * answers with feature_flags.use_continue_with_transitions, and the only way a native app gets the
 * session token, so Porta always answers API flows this way.
 */
export async function continueToSettings(
  deps: RecoveryDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  flow: StoredFlow,
  identity: Identity,
  issued: Issued,
): Promise<FastifyReply> {
  const returnTo = settingsReturnTo(deps, flow);
  const requestUrl = returnTo ? withQuery(requestURL(req), 'return_to', returnTo) : requestURL(req);
  const privilegedUntil = new Date(issued.session.authenticatedAt.getTime() + deps.config.privilegedSessionMaxAgeMs);
  const settings = await createSettingsFlow(deps, req, reply, flow.type, identity, { request_url: requestUrl, return_to: returnTo }, (f) =>
    addMessage(dataOf(f).ui, msgRecovered(privilegedUntil, Date.now())),
  );
  const settingsUI = withQuery(uiURLOf(deps, 'settings'), 'flow', settings.id);
  if (flow.type === 'api') {
    const showSettings = { action: 'show_settings_ui', flow: { id: settings.id, url: settingsUI } };
    return sendJSON(reply, 200, withContinueWith(flow, [setOrySessionToken(issued.token), showSettings]));
  }
  if (isJsonRequest(req)) return sendError(req, reply, errBrowserLocationChange(settingsUI));
  return redirect(req, reply, 303, settingsUI);
}
