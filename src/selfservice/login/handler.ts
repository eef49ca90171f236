import type { Servers } from '../../http/server.js';
import { defineRoutes } from '../../http/routes.js';
import { redirectToServer } from '../../http/port-redirect.js';
import { fetchFlow, flowIdOf } from '../flow/respond.js';
import type { SelfServiceDeps } from '../deps.js';
import { initLogin } from './init.js';
import { submitLogin } from './submit.js';
import type { LoginThrottleDeps } from './throttled.js';

/** Login flows: browser and native init, fetch, submit; the admin port redirects them to the public one. */
export function registerLoginRoutes(servers: Servers, deps: SelfServiceDeps & LoginThrottleDeps): void {
  const app = servers.public;
  defineRoutes(app, '/self-service/login/browser', { GET: (req, reply) => initLogin(deps, req, reply, 'browser') });
  defineRoutes(app, '/self-service/login/api', { GET: (req, reply) => initLogin(deps, req, reply, 'api') }, { csrf: 'exempt' });
  defineRoutes(app, '/self-service/login/flows', {
    GET: async (req, reply) => {
      const id = flowIdOf(req, 'id');
      return fetchFlow(deps, req, reply, 'login', id ? await deps.persister.flows.getFlow('login', id) : null);
    },
  });
  defineRoutes(app, '/self-service/login', {
    GET: (req, reply) => submitLogin(deps, req, reply),
    POST: (req, reply) => submitLogin(deps, req, reply),
  }, { csrf: 'exempt' });
  for (const path of ['/self-service/login/browser', '/self-service/login/api', '/self-service/login/flows', '/self-service/login']) {
    defineRoutes(servers.admin, `/admin${path}`, { GET: (req, reply) => redirectToServer(deps.config.publicBaseURL, req, reply, 'public') });
  }
}
