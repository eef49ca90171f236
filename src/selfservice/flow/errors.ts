import type { FastifyRequest } from 'fastify';
import * as catalogue from '../../http/catalogue/index.js';
import type { PortaError } from '../../http/catalogue/index.js';
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

// The flows' own errors live in the catalogue (http/catalogue); these two add the kind's texts and URLs.

export function errAlreadyLoggedIn(kind: FlowKind): PortaError {
  return catalogue.errSessionAlreadyAvailable(flowSpec(kind).alreadyLoggedInReason);
}

export const identityDisabledMessage = () => uiText(4010011, 'This account has been disabled. Please contact support for assistance.', 'error');

/** The message a replacement flow carries (its kind's text, e.g. 4010001 login / 4040001 registration). */
export function expiredMessage(kind: FlowKind, expiresAt: Date, now: Date): UiText {
  const minutes = ((now.getTime() - expiresAt.getTime()) / 60000).toFixed(2);
  return flowSpec(kind).expiredMessage(minutes, { expired_at: goTime(expiresAt), expired_at_unix: Math.floor(expiresAt.getTime() / 1000) });
}

/** GET .../flows on an expired flow: a plain 410 pointing at the init endpoint. */
export function errFlowGone(kind: FlowKind, type: 'api' | 'browser', publicBase: string, returnTo: string): PortaError {
  if (type === 'api') return catalogue.errFlowGoneAt(kind, type, `${publicBase}/self-service/${kind}/api`, returnTo);
  const init = `${publicBase}/self-service/${kind}/browser${returnTo ? `?${new URLSearchParams({ return_to: returnTo })}` : ''}`;
  return catalogue.errFlowGoneAt(kind, type, init, returnTo);
}

/** API flows refuse browser traits: an Origin header, or any cookie but Cloudflare's own. */
export function apiFlowBrowserCheck(req: FastifyRequest): PortaError | undefined {
  if (req.headers.origin) return catalogue.errApiFlowOrigin();
  const header = req.headers.cookie;
  if (header) {
    for (const part of header.split(';')) {
      const name = part.split('=')[0].trim();
      if (name && !name.startsWith('__cf') && !name.startsWith('_cf') && !name.startsWith('cf_')) return catalogue.errApiFlowCookie();
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
