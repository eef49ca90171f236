import type { Servers } from '../../http/server.js';
import { defineRoutes } from '../../http/routes.js';
import { redirectToServer } from '../../http/port-redirect.js';
import type { SelfServiceDeps } from '../deps.js';
import { getRegistrationFlow, initRegistration } from './init.js';
import { submitRegistration } from './submit.js';

/** Registration flows: browser and native init, fetch, submit; the admin port redirects them to the public one. */
export function registerRegistrationRoutes(servers: Servers, deps: SelfServiceDeps): void {
  const app = servers.public;
  defineRoutes(app, '/self-service/registration/browser', { GET: (req, reply) => initRegistration(deps, req, reply, 'browser') });
  defineRoutes(app, '/self-service/registration/api', { GET: (req, reply) => initRegistration(deps, req, reply, 'api') }, { csrf: 'exempt' });
  defineRoutes(app, '/self-service/registration/flows', { GET: (req, reply) => getRegistrationFlow(deps, req, reply) });
  defineRoutes(app, '/self-service/registration', {
    GET: (req, reply) => submitRegistration(deps, req, reply),
    POST: (req, reply) => submitRegistration(deps, req, reply),
  }, { csrf: 'exempt' });
  for (const path of ['/self-service/registration/browser', '/self-service/registration/api', '/self-service/registration/flows', '/self-service/registration']) {
    defineRoutes(servers.admin, `/admin${path}`, { GET: (req, reply) => redirectToServer(deps.config.publicBaseURL, req, reply, 'public') });
  }
}
