import type { FastifyInstance } from 'fastify';
import type { Servers } from '../http/server.js';
import type { Config } from '../config/config.js';
import { defineRoutes } from '../http/routes.js';
import { toPortaError } from '../http/errors.js';
import { VERSION } from '../version.js';
import type { PortaApiClient } from './api.js';
import { InjectApiClient } from './inject-client.js';
import { Frontend } from './frontend.js';
import { FormGuard } from './form-guard.js';
import { Renderer } from './render.js';
import { contentSecurityPolicy, cspSource, redirect, setSecurityHeaders } from './page.js';
import { renderError, UI_PREFIX, type UiContext } from './context.js';
import { flowPage } from './routes/flows.js';
import { welcomePage } from './routes/account.js';
import { settingsPage } from './routes/settings.js';
import { revokeOne, revokeOthers, sessionsPage } from './routes/sessions.js';
import { errorPage } from './routes/error.js';
import { verificationPage } from './routes/verification.js';
import { mailboxPage } from './routes/mailbox.js';
import type { CourierStore } from '../courier/store.js';

export interface UiDeps {
  config: Config;
  /** The courier's store, read by the dev mailbox page (dev mode only); without it there is no mailbox. */
  persister?: { courier: CourierStore };
}

export interface UiOptions {
  /** How the UI reaches the API; defaults to in-process HTTP on the public server. */
  client?: PortaApiClient;
}

/** Where the API may send a browser after a form post: every configured return URL's origin. */
function returnOrigins(config: Config): string[] {
  const allowed = config.get('selfservice.allowed_return_urls');
  const urls = [
    ...(Array.isArray(allowed) ? allowed : []),
    config.get('selfservice.default_browser_return_url'),
    config.get('selfservice.flows.login.after.default_browser_return_url'),
    config.get('selfservice.flows.login.after.password.default_browser_return_url'),
    config.get('selfservice.flows.registration.after.default_browser_return_url'),
    config.get('selfservice.flows.registration.after.password.default_browser_return_url'),
    config.get('selfservice.flows.settings.after.default_browser_return_url'),
    config.get('selfservice.flows.settings.after.password.default_browser_return_url'),
    config.get('selfservice.flows.settings.after.profile.default_browser_return_url'),
  ];
  return urls.map(cspSource).filter((s): s is string => s !== undefined);
}

/**
 * The built-in self-service UI, mounted under /ui/ on the public server. It is an ordinary API client:
 * every read and change goes through the public HTTP API (see api.ts), so it can be replaced by Kratos's
 * reference UI or any other by pointing `selfservice.flows.*.ui_url` elsewhere.
 */
/** /ui belongs to the UI (a separate app with its own form protection, form-guard.ts), mounted or not. */
export { reserveUIPaths } from './reserve.js';
import { reserveUIPaths } from './reserve.js';

export function registerUI(servers: Servers, deps: UiDeps, opts: UiOptions = {}): void {
  const { config } = deps;
  reserveUIPaths(servers.public);
  const publicOrigin = config.publicBaseURL.origin;
  const renderer = new Renderer();
  const ctx: UiContext = {
    frontend: new Frontend(opts.client ?? new InjectApiClient(servers.public, config.publicBaseURL)),
    renderer,
    guard: new FormGuard(config.cookieSecrets[0], publicOrigin),
    publicBase: config.publicBaseURL.href.replace(/\/$/, ''),
    version: VERSION,
    recoveryEnabled: config.recoveryEnabled,
    verificationEnabled: config.verificationEnabled,
    devMailbox: config.dev && deps.persister !== undefined,
  };
  const csp = contentSecurityPolicy(publicOrigin, returnOrigins(config));

  servers.public.register(
    async (ui: FastifyInstance) => {
      ui.addHook('onRequest', async (_req, reply) => setSecurityHeaders(reply, csp));
      // UI failures are pages, not Kratos JSON: a person should never be shown a JSON error body.
      ui.setErrorHandler((err, req, reply) => {
        const e = toPortaError(err);
        if (e.code >= 500) req.log.error({ err }, 'ui request failed');
        return renderError(ctx, reply, { code: e.code, status: e.status, message: e.message, reason: e.reason }, e.code);
      });
      ui.setNotFoundHandler((_req, reply) =>
        renderError(ctx, reply, { code: 404, status: 'Not Found', message: 'There is no page at this address.' }, 404),
      );
      defineRoutes(ui, '/', { GET: (_req, reply) => redirect(reply, `${UI_PREFIX}/welcome`) });
      defineRoutes(ui, '/style.css', {
        GET: (_req, reply) =>
          reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(renderer.stylesheet),
      });
      defineRoutes(ui, '/login', { GET: flowPage(ctx, 'login') });
      defineRoutes(ui, '/registration', { GET: flowPage(ctx, 'registration') });
      defineRoutes(ui, '/recovery', { GET: flowPage(ctx, 'recovery') });
      defineRoutes(ui, '/verification', { GET: verificationPage(ctx) });
      // Dev mode only: outside it the path is an ordinary 404 (the not-found handler above).
      if (ctx.devMailbox && deps.persister) defineRoutes(ui, '/dev/mailbox', { GET: mailboxPage(ctx, deps.persister.courier) });
      defineRoutes(ui, '/welcome', { GET: welcomePage(ctx) });
      defineRoutes(ui, '/settings', { GET: settingsPage(ctx) });
      defineRoutes(ui, '/sessions', { GET: sessionsPage(ctx) });
      defineRoutes(ui, '/sessions/revoke', { POST: revokeOne(ctx) });
      defineRoutes(ui, '/sessions/revoke-others', { POST: revokeOthers(ctx) });
      defineRoutes(ui, '/error', { GET: errorPage(ctx) });
    },
    { prefix: UI_PREFIX },
  );
}
