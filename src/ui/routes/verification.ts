import type { FastifyReply, FastifyRequest } from 'fastify';
import { queryOf } from '../../http/query.js';
import { cookieOf, renderApiError, renderPage, uiPath, type UiContext } from '../context.js';
import type { SelfServiceFlow, UiNode } from '../kratos.js';
import { fieldViews, flowMessages } from '../nodes.js';
import { forwardCookies, redirect } from '../page.js';

type VerificationFlow = SelfServiceFlow & { state?: string };

const MAX_EMAIL = 320;

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

function initURL(ctx: UiContext, returnTo: string | undefined): string {
  const qs = returnTo ? `?${new URLSearchParams({ return_to: returnTo })}` : '';
  return `${ctx.publicBase}/self-service/verification/browser${qs}`;
}

/** The resend button (the address as a submit named `email`) belongs in its own form: the code input is required. */
const isResend = (n: UiNode) => n.attributes.name === 'email' && n.attributes.type === 'submit';
const isHidden = (n: UiNode) => n.attributes.type === 'hidden';

const INTRO: Record<string, string> = {
  choose_method: 'Enter the email address you want to verify. We will send a code to it.',
  sent_email: 'Enter the code from the email we sent you.',
  passed_challenge: '',
};

/**
 * GET /ui/verification, as the reference UI's page, in the flow's three states: choose_method (the address),
 * sent_email (the code, and resending it), passed_challenge (the success message and the way on).
 * `?email=` (the account page's "Verify" link) starts the flow through the API's JSON answer, so the
 * address can be filled in; the person still submits it, a GET never sends mail.
 */
export function verificationPage(ctx: UiContext) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const q = queryOf(req);
    const flowId = nonEmpty(q.get('flow'));
    const returnTo = nonEmpty(q.get('return_to'));
    const emailParam = nonEmpty(q.get('email'));
    const email = emailParam && emailParam.length <= MAX_EMAIL ? emailParam : undefined;
    if (!flowId) {
      if (!email) return redirect(reply, initURL(ctx, returnTo));
      const started = await ctx.frontend.createBrowserVerificationFlow(cookieOf(req), returnTo);
      if (started.status !== 200) return renderApiError(ctx, reply, started);
      forwardCookies(reply, started.setCookie);
      return redirect(reply, uiPath('/verification', { flow: (started.body as VerificationFlow).id, email }));
    }

    const res = await ctx.frontend.getFlow('verification', flowId, cookieOf(req));
    if (res.status === 403 || res.status === 404 || res.status === 410 || res.status === 400) {
      forwardCookies(reply, res.setCookie);
      return redirect(reply, initURL(ctx, returnTo));
    }
    if (res.status !== 200) return renderApiError(ctx, reply, res);
    forwardCookies(reply, res.setCookie);

    const flow = res.body as VerificationFlow;
    const state = flow.state ?? 'choose_method';
    const nodes = flow.ui.nodes ?? [];
    const done = state === 'passed_challenge';
    const fields = done ? [] : fieldViews(nodes.filter((n) => !isResend(n)));
    if (state === 'choose_method' && email) {
      for (const f of fields) if (f.kind === 'input' && f.name === 'email' && f.value === '') f.value = email;
    }
    const resend = nodes.some(isResend) ? fieldViews(nodes.filter((n) => isResend(n) || isHidden(n))) : [];
    const continueHref = done ? fieldViews(nodes).find((f) => f.kind === 'link')?.href : undefined;
    return renderPage(ctx, reply, 'verification', {
      title: done ? 'Address verified' : 'Verify your email address',
      heading: done ? 'Address verified' : 'Verify your email address',
      intro: INTRO[state] ?? '',
      action: flow.ui.action,
      method: (flow.ui.method || 'POST').toLowerCase(),
      fields,
      resend,
      messages: flowMessages(flow.ui.messages),
      done,
      continueHref: continueHref ?? uiPath('/welcome'),
      accountHref: uiPath('/welcome'),
      mailboxHref: ctx.devMailbox && state === 'sent_email' ? uiPath('/dev/mailbox') : '',
    });
  };
}
