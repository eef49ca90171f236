import type { Servers } from '../../http/server.js';

/** STUB (owned by the logout helper). GET /self-service/errors. */
export function registerErrorRoutes(_servers: Servers, _deps: object): void {
  // Registers nothing until implemented.
}
