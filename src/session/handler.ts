import type { Servers } from '../http/server.js';

/** STUB (owned by the sessions helper). whoami, /sessions, /admin/sessions..., /admin/identities/{id}/sessions. */
export function registerSessionRoutes(_servers: Servers, _deps: object): void {
  // Registers nothing until implemented.
}
