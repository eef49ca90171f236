import type { FastifyReply, FastifyRequest } from 'fastify';
import { queryOf } from '../../http/query.js';
import { cookieOf, renderApiError, renderPage, type UiContext } from '../context.js';
import type { SelfServiceFlow, UiNode } from '../kratos.js';
import { fieldViews, flowMessages } from '../nodes.js';
import { forwardCookies, redirect } from '../page.js';

function nonEmpty(v: string | undefined | null): string | undefined {
  return v === undefined || v === null || v === '' ? undefined : v;
}

function initURL(ctx: UiContext, returnTo: string | undefined): string {
  const qs = returnTo ? `?${new URLSearchParams({ return_to: returnTo })}` : '';
  return `${ctx.publicBase}/self-service/settings/browser${qs}`;
}

/** The nodes of one method's form: its own group plus the shared ones (csrf_token). */
const formOf = (nodes: UiNode[], group: string) => fieldViews(nodes.filter((n) => n.group === group || n.group === 'default'));

/**
 * GET /ui/settings, as the reference UI's settings page: without `?flow=` the API starts a flow (and
 * sends a signed-out browser to the login); with it, the flow is read with the browser's cookies and each
 * method's group is rendered as its own form posting to `ui.action`. Re-authentication needs nothing
 * here: the API answers a change that needs a fresh sign-in with a refresh login that returns to this flow.
 */
export function settingsPage(ctx: UiContext) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const q = queryOf(req);
    const flowId = nonEmpty(q.get('flow'));
    const returnTo = nonEmpty(q.get('return_to'));
    if (!flowId) return redirect(reply, initURL(ctx, returnTo));

    const res = await ctx.frontend.getSettingsFlow(flowId, cookieOf(req));
    if (res.status === 401) {
      forwardCookies(reply, res.setCookie);
      return redirect(reply, `${ctx.publicBase}/self-service/login/browser?${new URLSearchParams({ return_to: initURL(ctx, returnTo) })}`);
    }
    if (res.status === 403 || res.status === 404 || res.status === 410 || res.status === 400) {
      forwardCookies(reply, res.setCookie);
      return redirect(reply, initURL(ctx, returnTo));
    }
    if (res.status !== 200) return renderApiError(ctx, reply, res);
    forwardCookies(reply, res.setCookie);

    const flow = res.body as SelfServiceFlow;
    const nodes = flow.ui.nodes ?? [];
    const has = (group: string) => nodes.some((n) => n.group === group);
    return renderPage(ctx, reply, 'settings', {
      title: 'Account settings',
      nav: true,
      current: 'settings',
      action: flow.ui.action,
      method: (flow.ui.method || 'POST').toLowerCase(),
      messages: flowMessages(flow.ui.messages),
      profile: has('profile') ? formOf(nodes, 'profile') : undefined,
      password: has('password') ? formOf(nodes, 'password') : undefined,
    });
  };
}
