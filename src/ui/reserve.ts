import type { FastifyInstance } from 'fastify';
import { exemptFromCsrf } from '../http/csrf.js';

/**
 * The UI's paths stay out of the API's CSRF checks whether or not the UI is on. Its own module, so a server
 * with the UI off never loads the rendering modules (app.ts imports the UI only when it is enabled).
 */
export function reserveUIPaths(app: FastifyInstance): void {
  exemptFromCsrf(app, '/ui');
  exemptFromCsrf(app, '/ui/', { prefix: true });
}
