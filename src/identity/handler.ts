import type { Servers } from '../http/server.js';

/** STUB (owned by the identity helper). Admin identity API (/admin/identities...) and the public 307s to it. */
export function registerIdentityRoutes(_servers: Servers, _deps: object): void {
  // Registers nothing until implemented.
}
