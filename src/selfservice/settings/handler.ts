import type { Servers } from '../../http/server.js';
import { defineRoutes } from '../../http/routes.js';
import { redirectToServer } from '../../http/port-redirect.js';
import type { SelfServiceDeps } from '../deps.js';
import { redirect } from '../flow/model.js';
import { getSettingsFlow, initSettings } from './init.js';
import { submitSettings } from './submit.js';

/** Settings flows: browser and native init, fetch, submit, the well-known change-password link; admin redirects. */
export function registerSettingsRoutes(servers: Servers, deps: SelfServiceDeps): void {
  const app = servers.public;
  defineRoutes(app, '/self-service/settings/browser', { GET: (req, reply) => initSettings(deps, req, reply, 'browser') });
  defineRoutes(app, '/self-service/settings/api', { GET: (req, reply) => initSettings(deps, req, reply, 'api') }, { csrf: 'exempt' });
  defineRoutes(app, '/self-service/settings/flows', { GET: (req, reply) => getSettingsFlow(deps, req, reply) });
  // CSRF is checked against the flow by the submit itself (API flows have no cookie to check).
  defineRoutes(app, '/self-service/settings', {
    GET: (req, reply) => submitSettings(deps, req, reply),
    POST: (req, reply) => submitSettings(deps, req, reply),
  }, { csrf: 'exempt' });
  // RFC 8615 change-password URL: password managers send people here.
  defineRoutes(app, '/.well-known/change-password', { GET: (req, reply) => redirect(req, reply, 303, deps.config.flowUIURL('settings').href) });
  for (const path of ['/self-service/settings/browser', '/self-service/settings/api', '/self-service/settings/flows', '/self-service/settings']) {
    defineRoutes(servers.admin, `/admin${path}`, { GET: (req, reply) => redirectToServer(deps.config.publicBaseURL, req, reply, 'public') });
  }
}
