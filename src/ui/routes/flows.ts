import type { FastifyReply, FastifyRequest } from 'fastify';
import { queryOf } from '../../http/query.js';
import { cookieOf, renderApiError, renderPage, uiPath, type UiContext } from '../context.js';
import type { SelfServiceFlow } from '../kratos.js';
import { fieldViews, flowMessages } from '../nodes.js';
import { forwardCookies, redirect } from '../page.js';

type Kind = 'login' | 'registration' | 'recovery';

const TEXT: Record<Kind, { title: string; intro: string; other: string; otherLink: string; otherKind: Kind }> = {
  login: { title: 'Sign in', intro: 'Welcome back. Sign in to your account.', other: 'No account yet?', otherLink: 'Create an account', otherKind: 'registration' },
  registration: { title: 'Create an account', intro: 'It only takes a moment.', other: 'Already have an account?', otherLink: 'Sign in', otherKind: 'login' },
  recovery: { title: 'Recover your account', intro: 'Enter your email address; we will send you a code to sign in and choose a new password.', other: 'Remembered it?', otherLink: 'Sign in', otherKind: 'login' },
};

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

/** Where a browser starts a new flow: the API's browser endpoint, which answers with a redirect back here. */
function initURL(ctx: UiContext, kind: Kind, returnTo: string | undefined): string {
  const qs = returnTo ? `?${new URLSearchParams({ return_to: returnTo })}` : '';
  return `${ctx.publicBase}/self-service/${kind}/browser${qs}`;
}

/**
 * GET /ui/login and /ui/registration, as the reference UI does them: without `?flow=` the browser is sent
 * to the API to start a flow; with it, the flow is read (forwarding the CSRF cookie) and its nodes are
 * rendered as a form that posts straight to `ui.action`. A stale or foreign flow starts a new one.
 */
export function flowPage(ctx: UiContext, kind: Kind) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const q = queryOf(req);
    const flowId = nonEmpty(q.get('flow'));
    const returnTo = nonEmpty(q.get('return_to'));
    if (!flowId) return redirect(reply, initURL(ctx, kind, returnTo));

    const res = await ctx.frontend.getFlow(kind, flowId, cookieOf(req));
    if (res.status === 403 || res.status === 404 || res.status === 410 || res.status === 400) {
      forwardCookies(reply, res.setCookie);
      return redirect(reply, initURL(ctx, kind, returnTo));
    }
    if (res.status !== 200) return renderApiError(ctx, reply, res);
    forwardCookies(reply, res.setCookie);

    const flow = res.body as SelfServiceFlow;
    const text = TEXT[kind];
    const refresh = kind === 'login' && flow.refresh === true;
    return renderPage(ctx, reply, 'flow', {
      title: refresh ? 'Confirm it is you' : text.title,
      heading: refresh ? 'Confirm it is you' : text.title,
      intro: refresh ? '' : text.intro,
      action: flow.ui.action,
      method: (flow.ui.method || 'POST').toLowerCase(),
      fields: fieldViews(flow.ui.nodes ?? []),
      messages: flowMessages(flow.ui.messages),
      other: text.other,
      otherLink: text.otherLink,
      otherHref: uiPath(`/${text.otherKind}`, { return_to: nonEmpty(flow.return_to) }),
      forgotHref: kind === 'login' && !refresh && ctx.recoveryEnabled ? uiPath('/recovery', { return_to: nonEmpty(flow.return_to) }) : '',
    });
  };
}
