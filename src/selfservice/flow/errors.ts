import type { FastifyRequest } from 'fastify';
import { PortaError } from '../../http/errors.js';
import { uiText, type UiText } from '../../x/text.js';
import { goTime } from '../../x/go/time.js';
import type { FlowKind } from './types.js';
import { flowSpec } from './kinds.js';

/**
 * A failed submission that is rendered into the flow (Kratos's validation errors): messages for the
 * whole form and for named nodes. Always answered with 400 / a redirect back to the form.
 */
export class FlowFormError extends Error {
  constructor(
    readonly messages: UiText[] = [],
    readonly nodeMessages: Array<{ name: string; message: UiText }> = [],
  ) {
    super('flow form error');
  }
}

export const STRATEGY_DISABLED =
  'This endpoint was disabled by system administrator. Please check your url or contact the system administrator to enable it.';

export const errFlowParam = () => new PortaError(400, { reason: 'The flow query parameter is missing or malformed.' });

export function errAlreadyLoggedIn(kind: FlowKind): PortaError {
  return new PortaError(400, {
    id: 'session_already_available',
    reason: flowSpec(kind).alreadyLoggedInReason,
    message: 'you are already logged in',
  });
}

export const errRegistrationDisabled = () =>
  new PortaError(400, { id: 'self_service_flow_disabled', reason: 'Registration is not allowed because it was disabled.', message: 'registration flow disabled' });

export const errAAL1Required = () =>
  new PortaError(401, {
    id: 'session_aal1_required',
    reason: 'You can not requested a higher AAL (AAL2/AAL3) without an active session.',
    message: 'aal2 and aal3 can only be requested if a session exists already',
  });

export const errBadAAL = (got: string) =>
  new PortaError(400, { reason: `Unable to parse AuthenticationMethod Assurance Level (AAL): expected one of [aal1, aal2] but got ${got}` });

export const errStrategyDisabled = () => new PortaError(404, { reason: STRATEGY_DISABLED });

export const errIdentityDisabled = () =>
  new PortaError(400, { id: 'identity_disabled', reason: 'This account was disabled.', message: 'identity is disabled' });

export const identityDisabledMessage = () => uiText(4010011, 'This account has been disabled. Please contact support for assistance.', 'error');

/** flow.ExpiredError as the submit endpoints answer API and SPA clients (410 with use_flow_id). */
export function errFlowExpired(expiresAt: Date, now: Date, useFlowId: string): PortaError {
  const sinceMs = now.getTime() - expiresAt.getTime();
  return new PortaError(410, {
    id: 'self_service_flow_expired',
    reason: `The self-service flow expired ${(sinceMs / 60000).toFixed(2)} minutes ago, initialize a new one.`,
    message: 'self-service flow expired',
    extra: { expired_at: goTime(expiresAt), since: sinceMs * 1e6, use_flow_id: useFlowId },
  });
}

/** The message a replacement flow carries (its kind's text, e.g. 4010001 login / 4040001 registration). */
export function expiredMessage(kind: FlowKind, expiresAt: Date, now: Date): UiText {
  const minutes = ((now.getTime() - expiresAt.getTime()) / 60000).toFixed(2);
  return flowSpec(kind).expiredMessage(minutes, { expired_at: goTime(expiresAt), expired_at_unix: Math.floor(expiresAt.getTime() / 1000) });
}

/** GET .../flows on an expired flow: a plain 410 pointing at the init endpoint. */
export function errFlowGone(kind: FlowKind, type: 'api' | 'browser', publicBase: string, returnTo: string): PortaError {
  if (type === 'api') {
    return new PortaError(410, {
      id: 'self_service_flow_expired',
      reason: `The ${kind} flow has expired. Call the ${kind} flow init API endpoint to initialize a new ${kind} flow.`,
      details: { api: `${publicBase}/self-service/${kind}/api` },
    });
  }
  const redirect = `${publicBase}/self-service/${kind}/browser${returnTo ? `?${new URLSearchParams({ return_to: returnTo })}` : ''}`;
  return new PortaError(410, {
    id: 'self_service_flow_expired',
    reason: `The ${kind} flow has expired. Redirect the user to the ${kind} flow init endpoint to initialize a new ${kind} flow.`,
    details: { redirect_to: redirect, return_to: returnTo },
  });
}

const COOKIE_REASON =
  'The HTTP Request Header included the "Cookie" key, indicating that this request was made by a Browser. The flow however was initiated as an API request. To prevent potential misuse and mitigate several attack vectors including CSRF, the request has been blocked. Please consult the documentation.';
const ORIGIN_REASON =
  'The HTTP Request Header included the "Origin" key, indicating that this request was made as part of an AJAX request in a Browser. The flow however was initiated as an API request. To prevent potential misuse and mitigate several attack vectors including CSRF, the request has been blocked. Please consult the documentation.';

/** API flows refuse browser traits: an Origin header, or any cookie but Cloudflare's own. */
export function apiFlowBrowserCheck(req: FastifyRequest): PortaError | undefined {
  if (req.headers.origin) return new PortaError(400, { reason: ORIGIN_REASON });
  const header = req.headers.cookie;
  if (header) {
    for (const part of header.split(';')) {
      const name = part.split('=')[0].trim();
      if (name && !name.startsWith('__cf') && !name.startsWith('_cf') && !name.startsWith('cf_')) return new PortaError(400, { reason: COOKIE_REASON });
    }
  }
  return undefined;
}

/**
 * A settings change that needs a recently authenticated session (Kratos's ErrRequestNeedsReAuthentication).
 * Thrown by a method; the settings flow turns it into a refresh login or `session_refresh_required`.
 */
export class PrivilegedSessionRequired extends Error {
  constructor() {
    super('privileged session required');
  }
}
