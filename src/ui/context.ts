import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Frontend } from './frontend.js';
import type { FormGuard } from './form-guard.js';
import type { Renderer } from './render.js';
import { isErrorBody, type GenericError } from './kratos.js';
import { forwardCookies, sendHtml } from './page.js';
import type { ApiResponse } from './api.js';

/** What every UI route needs; built once in registerUI. */
export interface UiContext {
  frontend: Frontend;
  renderer: Renderer;
  guard: FormGuard;
  /** Public base URL without the trailing slash, for browser redirects to the API. */
  publicBase: string;
  version: string;
  /** Whether the login page offers "Forgot password?" (selfservice.flows.recovery.enabled). */
  recoveryEnabled: boolean;
  /** Whether the account page offers "Verify" (selfservice.flows.verification.enabled). */
  verificationEnabled: boolean;
  /** Dev mode: the dev mailbox page exists and the verification page points to it. */
  devMailbox: boolean;
}

export const UI_PREFIX = '/ui';

export function uiPath(path: string, query?: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v) params.append(k, v);
  const qs = params.toString();
  return `${UI_PREFIX}${path}${qs ? `?${qs}` : ''}`;
}

export function cookieOf(req: FastifyRequest): string | undefined {
  const c = req.headers.cookie;
  return typeof c === 'string' && c !== '' ? c : undefined;
}

export function renderPage(ctx: UiContext, reply: FastifyReply, template: string, data: Record<string, unknown>, status = 200): FastifyReply {
  const html = ctx.renderer.render(template, { nav: false, current: '', version: ctx.version, ...data });
  return sendHtml(reply, status, html);
}

const FRIENDLY: Record<string, { title: string; text: string }> = {
  self_service_flow_return_to_forbidden: {
    title: 'That link is not allowed',
    text: 'The page you came from asked to send you to an address this site does not trust, so you were not redirected.',
  },
  security_csrf_violation: {
    title: 'Please try again',
    text: 'The form was sent without a valid security token, for example because it was opened in another tab or is too old.',
  },
  session_inactive: { title: 'You are signed out', text: 'There is no active session in this browser. Sign in to continue.' },
  self_service_flow_expired: { title: 'This page expired', text: 'The form was open for too long. Start again to continue.' },
};

export function renderError(ctx: UiContext, reply: FastifyReply, error: GenericError, status: number, errorId?: string): FastifyReply {
  const friendly = (error.id && FRIENDLY[error.id]) || {
    title: (error.code ?? status) >= 500 ? 'Something went wrong' : 'We could not do that',
    text: (error.code ?? status) >= 500 ? 'An unexpected error happened. Please try again in a moment.' : 'The request could not be completed.',
  };
  return renderPage(ctx, reply, 'error', { title: friendly.title, heading: friendly.title, intro: friendly.text, error, errorId }, status);
}

/** Renders whatever error the API answered with; a response that is not one becomes a generic 502. */
export function renderApiError(ctx: UiContext, reply: FastifyReply, res: ApiResponse): FastifyReply {
  forwardCookies(reply, res.setCookie);
  if (isErrorBody(res.body)) return renderError(ctx, reply, res.body.error, res.status >= 500 ? 502 : res.status);
  return renderError(ctx, reply, { code: 502, status: 'Bad Gateway', message: `The API answered with status ${res.status}.` }, 502);
}
