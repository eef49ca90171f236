import type { FastifyReply, FastifyRequest } from 'fastify';
import { queryOf } from '../../http/query.js';
import { readFormBody } from '../../http/body.js';
import { cookieOf, renderApiError, renderError, renderPage, uiPath, type UiContext } from '../context.js';
import { deviceView, displayName } from '../format.js';
import type { Session } from '../kratos.js';
import { forwardCookies, redirect } from '../page.js';
import { requireSession } from './account.js';

const NOTICES: Record<string, string> = {
  revoked: 'The device was signed out.',
  'revoked-all': 'All other devices were signed out.',
  'already-current': 'This is the device you are using. Use Log out on your account page to sign it out.',
};

/** GET /ui/sessions: this device first, then every other signed-in device with a Revoke button. */
export function sessionsPage(ctx: UiContext) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const session = await requireSession(ctx, req, reply);
    if (!session) return reply;
    const list = await ctx.frontend.listMySessions(cookieOf(req));
    if (list.status === 401) return redirect(reply, uiPath('/login'));
    if (list.status !== 200 || !Array.isArray(list.body)) return renderApiError(ctx, reply, list);
    forwardCookies(reply, list.setCookie);

    const others = (list.body as Session[]).filter((s) => s.id !== session.id).map((s) => deviceView(s, false));
    const notice = NOTICES[queryOf(req).get('notice') ?? ''];
    return renderPage(ctx, reply, 'sessions', {
      title: 'Your devices',
      nav: true,
      current: 'sessions',
      name: displayName(session.identity),
      currentDevice: deviceView(session, true),
      others,
      notice,
      token: ctx.guard.token(session.id),
    });
  };
}

function field(form: Map<string, string[]>, name: string): string | undefined {
  const v = form.get(name);
  return v && v.length === 1 ? v[0] : undefined;
}

/**
 * POST handlers behind the Revoke and "Log out everywhere else" buttons. Each checks that the form came
 * from our own page (FormGuard) before calling the API on the person's behalf.
 */
async function guarded(ctx: UiContext, req: FastifyRequest, reply: FastifyReply): Promise<{ session: Session; form: Map<string, string[]> } | undefined> {
  if (!ctx.guard.sameOrigin(req)) {
    renderError(ctx, reply, { code: 403, status: 'Forbidden', id: 'security_csrf_violation', message: 'The form did not come from this site.' }, 403);
    return undefined;
  }
  const form = readFormBody(req);
  const session = await requireSession(ctx, req, reply);
  if (!session) return undefined;
  if (!ctx.guard.check(req, session.id, field(form, 'token'))) {
    renderError(ctx, reply, { code: 403, status: 'Forbidden', id: 'security_csrf_violation', message: 'The form token is missing or does not match.' }, 403);
    return undefined;
  }
  return { session, form };
}

export function revokeOne(ctx: UiContext) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const ok = await guarded(ctx, req, reply);
    if (!ok) return reply;
    const id = field(ok.form, 'id');
    if (!id) return renderError(ctx, reply, { code: 400, status: 'Bad Request', message: 'No device was chosen.' }, 400);
    if (id === ok.session.id) return redirect(reply, uiPath('/sessions', { notice: 'already-current' }));
    const res = await ctx.frontend.disableMySession(cookieOf(req), id);
    if (res.status !== 204 && res.status !== 200) return renderApiError(ctx, reply, res);
    forwardCookies(reply, res.setCookie);
    return redirect(reply, uiPath('/sessions', { notice: 'revoked' }));
  };
}

export function revokeOthers(ctx: UiContext) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const ok = await guarded(ctx, req, reply);
    if (!ok) return reply;
    const res = await ctx.frontend.disableMyOtherSessions(cookieOf(req));
    if (res.status !== 200 && res.status !== 204) return renderApiError(ctx, reply, res);
    forwardCookies(reply, res.setCookie);
    return redirect(reply, uiPath('/sessions', { notice: 'revoked-all' }));
  };
}
