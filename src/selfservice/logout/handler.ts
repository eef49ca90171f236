import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Servers } from '../../http/server.js';
import { defineRoutes } from '../../http/routes.js';
import { redirectToServer } from '../../http/port-redirect.js';
import { canonicalHref } from '../flow/return-to.js';
import type { LogoutDeps } from './deps.js';
import { createBrowserLogoutFlow } from './browser.js';
import { updateLogoutFlow } from './update.js';
import { performNativeLogout } from './native.js';

export type { LogoutDeps } from './deps.js';

export const ROUTE_LOGOUT_BROWSER = '/self-service/logout/browser';
export const ROUTE_LOGOUT = '/self-service/logout';
export const ROUTE_LOGOUT_API = '/self-service/logout/api';

/** The configured logout default as Kratos writes it (`http://h` stays without the slash). */
function defaultLogoutHref(deps: LogoutDeps): string {
  const url = deps.config.logoutRedirectURL;
  const raw = deps.config.get('selfservice.flows.logout.after.default_browser_return_url') || deps.config.get('selfservice.default_browser_return_url');
  return typeof raw === 'string' ? canonicalHref(raw, url) : url.href;
}

/** The three logout endpoints, and their admin-port 307s to the public URL (query kept) as in Kratos. */
export function registerLogoutRoutes(servers: Servers, deps: LogoutDeps): void {
  const defaultHref = defaultLogoutHref(deps);
  const pub = servers.public;

  // The logout token travels in the URL: no response of these endpoints, errors and redirects
  // included, may be cached or leak the URL as a Referer.
  const headers = { 'cache-control': 'private, no-cache, no-store, must-revalidate', 'referrer-policy': 'no-referrer' };
  defineRoutes(pub, ROUTE_LOGOUT_BROWSER, { GET: (req, reply) => createBrowserLogoutFlow(deps, req, reply) }, { headers });
  defineRoutes(pub, ROUTE_LOGOUT, { GET: (req, reply) => updateLogoutFlow(deps, defaultHref, req, reply) }, { headers });
  defineRoutes(pub, ROUTE_LOGOUT_API, { DELETE: (req, reply) => performNativeLogout(deps, req, reply) }, { headers, csrf: 'exempt' });

  const toPublic = (req: FastifyRequest, reply: FastifyReply) => redirectToServer(deps.config.publicBaseURL, req, reply, 'public');
  defineRoutes(servers.admin, `/admin${ROUTE_LOGOUT_BROWSER}`, { GET: toPublic });
  defineRoutes(servers.admin, `/admin${ROUTE_LOGOUT}`, { GET: toPublic });
  defineRoutes(servers.admin, `/admin${ROUTE_LOGOUT_API}`, { DELETE: toPublic });
}
