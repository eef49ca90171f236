import type { FastifyReply, FastifyRequest } from 'fastify';
import { queryOf } from '../../http/query.js';
import { cookieOf, renderApiError, renderPage, uiPath, type UiContext } from '../context.js';
import { deviceView, displayName, timeView, traitTitles, traitViews } from '../format.js';
import type { LogoutFlow, Session } from '../kratos.js';
import { forwardCookies, redirect } from '../page.js';

/**
 * The signed-in session, or a reply already sent: signed-out browsers go to the login page (as the
 * reference UI's welcome page does), other failures render the API's error.
 */
export async function requireSession(ctx: UiContext, req: FastifyRequest, reply: FastifyReply): Promise<Session | undefined> {
  const res = await ctx.frontend.toSession(cookieOf(req));
  forwardCookies(reply, res.setCookie);
  if (res.status === 200) return res.body as Session;
  if (res.status === 401 || res.status === 403) {
    redirect(reply, uiPath('/login'));
    return undefined;
  }
  renderApiError(ctx, reply, res);
  return undefined;
}

// Identity schemas only change with the configuration, so their titles are read once per schema.
const titleCache = new WeakMap<UiContext, Map<string, Map<string, string>>>();

async function schemaTitles(ctx: UiContext, schemaId: string): Promise<Map<string, string>> {
  let cache = titleCache.get(ctx);
  if (!cache) titleCache.set(ctx, (cache = new Map()));
  const hit = cache.get(schemaId);
  if (hit) return hit;
  const res = await ctx.frontend.getIdentitySchema(schemaId);
  if (res.status !== 200) return new Map();
  const titles = traitTitles(res.body);
  cache.set(schemaId, titles);
  return titles;
}

/**
 * GET /ui/welcome: who is signed in, and the Log out link from createBrowserLogoutFlow. The page's own
 * `return_to` is handed to the API, which refuses one it does not allow; that refusal is shown as the
 * error page rather than dropped, so a tampered link never silently logs out somewhere else.
 */
export function welcomePage(ctx: UiContext) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const returnTo = queryOf(req).get('return_to') || undefined;
    const session = await requireSession(ctx, req, reply);
    if (!session) return reply;
    const identity = session.identity ?? null;
    const [logout, titles] = await Promise.all([
      ctx.frontend.createBrowserLogoutFlow(cookieOf(req), returnTo),
      identity ? schemaTitles(ctx, identity.schema_id) : Promise.resolve(new Map<string, string>()),
    ]);
    if (logout.status !== 200) return renderApiError(ctx, reply, logout);
    forwardCookies(reply, logout.setCookie);

    const addresses = (identity?.verifiable_addresses ?? []).map((a) => ({
      value: a.value,
      verified: a.verified === true,
      verifyHref: !a.verified && ctx.verificationEnabled && a.via === 'email' ? uiPath('/verification', { email: a.value }) : '',
    }));
    const methods = (session.authentication_methods ?? []).map((m) => m.method).filter((m): m is string => !!m);
    return renderPage(ctx, reply, 'welcome', {
      title: 'Your account',
      nav: true,
      current: 'welcome',
      name: displayName(identity),
      initial: displayName(identity).slice(0, 1).toUpperCase(),
      traits: traitViews(identity, titles),
      addresses,
      signedIn: timeView(session.authenticated_at),
      expires: timeView(session.expires_at),
      created: timeView(identity?.created_at),
      methods: methods.length ? [...new Set(methods)].join(', ') : 'unknown',
      aal: session.authenticator_assurance_level ?? '',
      device: deviceView(session, true),
      logoutUrl: (logout.body as LogoutFlow).logout_url,
    });
  };
}
