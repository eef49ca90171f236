import type { Servers } from '../../http/server.js';

/** STUB (owned by the login/registration helper). Login flows. */
export function registerLoginRoutes(_servers: Servers, _deps: object): void {
  // Registers nothing until implemented.
}
