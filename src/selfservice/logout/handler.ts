import type { Servers } from '../../http/server.js';

/** STUB (owned by the logout helper). The three logout endpoints (+ admin 307s). */
export function registerLogoutRoutes(_servers: Servers, _deps: object): void {
  // Registers nothing until implemented.
}
