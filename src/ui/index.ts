import type { Servers } from '../http/server.js';

/** STUB (owned by the UI helper). The built-in UI under /ui/ on the public server. */
export function registerUI(_servers: Servers, _deps: object): void {
  // Registers nothing until implemented.
}
