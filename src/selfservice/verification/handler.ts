import type { Servers } from '../../http/server.js';
import { defineRoutes } from '../../http/routes.js';
import { redirectToServer } from '../../http/port-redirect.js';
import type { SendDeps } from '../strategy/code/verification.js';
import { getVerificationFlow, initVerification } from './init.js';
import { submitVerification } from './submit.js';
import './flow.js';

/** Verification flows: browser and native init, fetch, submit (GET for the mailed link); admin port redirects. */
export function registerVerificationRoutes(servers: Servers, deps: SendDeps): void {
  const app = servers.public;
  defineRoutes(app, '/self-service/verification/browser', { GET: (req, reply) => initVerification(deps, req, reply, 'browser') });
  defineRoutes(app, '/self-service/verification/api', { GET: (req, reply) => initVerification(deps, req, reply, 'api') }, { csrf: 'exempt' });
  defineRoutes(app, '/self-service/verification/flows', { GET: (req, reply) => getVerificationFlow(deps, req, reply) });
  defineRoutes(app, '/self-service/verification', {
    GET: (req, reply) => submitVerification(deps, req, reply),
    POST: (req, reply) => submitVerification(deps, req, reply),
  }, { csrf: 'exempt' });
  for (const path of ['/self-service/verification/browser', '/self-service/verification/api', '/self-service/verification/flows', '/self-service/verification']) {
    defineRoutes(servers.admin, `/admin${path}`, { GET: (req, reply) => redirectToServer(deps.config.publicBaseURL, req, reply, 'public') });
  }
}
