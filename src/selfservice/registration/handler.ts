import type { Servers } from '../../http/server.js';

/** STUB (owned by the login/registration helper). Registration flows. */
export function registerRegistrationRoutes(_servers: Servers, _deps: object): void {
  // Registers nothing until implemented.
}
