import type { Servers } from '../../http/server.js';
import { defineRoutes } from '../../http/routes.js';
import { redirectToServer } from '../../http/port-redirect.js';
import { getRecoveryFlow, initRecovery, type RecoveryDeps } from './init.js';
import { submitRecovery } from './submit.js';
import { createAdminRecoveryCode } from './admin.js';

/** Recovery flows: browser and native init, fetch, submit; the admin code endpoint; admin-port redirects. */
export function registerRecoveryRoutes(servers: Servers, deps: RecoveryDeps): void {
  const app = servers.public;
  defineRoutes(app, '/self-service/recovery/browser', { GET: (req, reply) => initRecovery(deps, req, reply, 'browser') });
  defineRoutes(app, '/self-service/recovery/api', { GET: (req, reply) => initRecovery(deps, req, reply, 'api') }, { csrf: 'exempt' });
  defineRoutes(app, '/self-service/recovery/flows', { GET: (req, reply) => getRecoveryFlow(deps, req, reply) });
  // CSRF is checked by the submit itself (API flows and admin-created flows carry no token).
  defineRoutes(app, '/self-service/recovery', {
    GET: (req, reply) => submitRecovery(deps, req, reply),
    POST: (req, reply) => submitRecovery(deps, req, reply),
  }, { csrf: 'exempt' });
  for (const path of ['/self-service/recovery/browser', '/self-service/recovery/api', '/self-service/recovery/flows', '/self-service/recovery']) {
    defineRoutes(servers.admin, `/admin${path}`, { GET: (req, reply) => redirectToServer(deps.config.publicBaseURL, req, reply, 'public') });
  }
  defineRoutes(servers.admin, '/admin/recovery/code', { POST: (req, reply) => createAdminRecoveryCode(deps, req, reply) });
  defineRoutes(app, '/recovery/code', { POST: (req, reply) => redirectToServer(deps.config.adminBaseURL, req, reply, 'admin') }, { csrf: 'exempt' });
}
