import type { Servers } from '../http/server.js';

/** STUB (owned by the identity helper). GET /schemas and /schemas/{id} (public; admin 307). */
export function registerSchemaRoutes(_servers: Servers, _deps: object): void {
  // Registers nothing until implemented.
}
